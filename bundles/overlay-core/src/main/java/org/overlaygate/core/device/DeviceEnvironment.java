package org.overlaygate.core.device;

import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlaySocket;

/** What devices share, provided by the data path service. */
public interface DeviceEnvironment {

    /** Puts a miss on the bounded miss queue; false when it is full. */
    boolean offerMiss(MissRequestImpl request);

    PendingBudget pendingBudget();

    /** How long a DROP answer applies before the destination is looked up again. */
    long dropLifetimeNanos();

    /** The shared socket for {@code key}, opened on first use. */
    UnderlaySocket acquireSocket(UnderlayKey key, UnderlayTransport transport) throws DataPathException;

    /** Gives back a socket from {@link #acquireSocket}; the last user closes it. */
    void releaseSocket(UnderlaySocket socket);

    /** Runs {@code task} off the data path, or drops it if the worker is saturated. */
    void offload(Runnable task);
}
