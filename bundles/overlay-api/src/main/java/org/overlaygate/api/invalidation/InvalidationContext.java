package org.overlaygate.api.invalidation;

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

    /** A remote host says {@code mac} is no longer where this overlay's cache thinks: forget it. */
    void invalidated(long mac);

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
