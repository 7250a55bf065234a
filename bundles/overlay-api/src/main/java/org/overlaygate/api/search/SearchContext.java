package org.overlaygate.api.search;

import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.UnderlayAddress;

/**
 * What varpd offers one search instance: the overlay it serves, and the few ways a plugin may act
 * on it outside of answering lookups. Thread-safe.
 */
@ProviderType
public interface SearchContext {

    /** The overlay's name ({@code ovl0}). */
    String overlayName();

    /** The overlay's vnet id. */
    long vnetId();

    /**
     * Marks the overlay DEGRADED with a reason shown by {@code overlay:show -f} ("cannot reach any
     * katar server"). Cached destinations keep working.
     */
    void degrade(String reason);

    /** Clears a degradation this instance reported. */
    void restore();

    /** Forgets the cache entry of {@code mac}, so the next frame to it is looked up again. */
    void invalidate(long mac);

    /** Installs or replaces the cache entry of {@code mac} without waiting for a miss. */
    void setTarget(long mac, UnderlayAddress destination);

    /**
     * Delivers an Ethernet frame (position to limit) to the overlay's local VNICs, as if it had
     * arrived from the underlay: gratuitous ARP and unsolicited neighbour advertisements.
     */
    void deliverLocally(ByteBuffer frame);

    /** A shared scheduler for timers; tasks must be short and must not block. */
    ScheduledExecutorService scheduler();
}
