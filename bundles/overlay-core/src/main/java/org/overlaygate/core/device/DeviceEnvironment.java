package org.overlaygate.core.device;

/** What devices share, provided by the data path service. */
public interface DeviceEnvironment {

    /** Puts an upcall on the bounded queue varpd takes from; false when it is full. */
    boolean offerUpcall(Upcalls.Base upcall);

    /** How many upcalls one device may have queued at once. */
    int upcallShare();

    PendingBudget pendingBudget();

    /** How long a DROP answer applies before the destination is looked up again. */
    long dropLifetimeNanos();

    /** How long an issued miss may stay unanswered (once taken) before it is issued again. */
    long missRetryNanos();

    /** The clock of the data path: {@link System#nanoTime()}, or a test's. */
    long nanoTime();
}
