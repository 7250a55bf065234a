package org.overlaygate.api.invalidation;

import java.net.InetAddress;
import java.util.concurrent.ScheduledExecutorService;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.UnderlayAddress;

/** What varpd offers one invalidation instance. Thread-safe; calls after the instance was stopped are ignored. */
@ProviderType
public interface InvalidationContext {

    /** The overlay's name. */
    String overlayName();

    /** The overlay's vnet id. */
    long vnetId();

    /**
     * The overlay's own underlay address: where this host receives its packets, and so where a
     * plugin listens for invalidations from others. {@code null} while the data path has not bound
     * the overlay's encapsulation.
     */
    UnderlayAddress underlayAddress();

    /**
     * A remote host says {@code mac} is no longer where this overlay's cache thinks: forget it.
     * Unconditional: a plugin acting on messages from the network calls
     * {@link #invalidated(long, InetAddress)} instead.
     */
    void invalidated(long mac);

    /** What {@link #invalidated(long, InetAddress)} did. @since 2.1 */
    enum Outcome {
        /** The entry was forgotten. */
        APPLIED,
        /** The overlay's cache holds nothing for the MAC. */
        NOT_CACHED,
        /** The sender is not a host the overlay knows for that MAC (the address the cache holds, a configured peer): a forgery, ignored. */
        UNKNOWN_SENDER,
        /** The operator set the entry: kept. */
        OPERATOR_ENTRY,
        /** Frames wait on the entry for its lookup: kept, with them. */
        PENDING,
        /** The overlay has no data path device now, or the instance was stopped. */
        NO_DEVICE
    }

    /**
     * {@code sender}, a remote host, says {@code mac} is no longer where this overlay's cache
     * thinks. Believed only from a host the overlay knows for that MAC (the address the cache holds
     * for it, the point destination, a configured peer); an entry the operator set, or one frames
     * wait on, is never removed. Cheap: a flood of forgeries may be checked one by one.
     *
     * @since 2.1
     */
    Outcome invalidated(long mac, InetAddress sender);

    /** Marks the overlay DEGRADED with this instance's reason (its listener cannot bind, say). */
    void degrade(String reason);

    /** Clears the degradation this instance reported. */
    void restore();

    /**
     * Counts an event in the overlay's statistics ({@code invalidations_sent},
     * {@code invalidations_refused}); the name must be a constant.
     */
    void count(String event);

    /** A shared scheduler for timers; tasks must be short and must not block. */
    ScheduledExecutorService scheduler();
}
