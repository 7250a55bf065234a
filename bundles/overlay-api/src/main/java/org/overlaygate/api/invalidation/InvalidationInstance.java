package org.overlaygate.api.invalidation;

import java.net.InetAddress;

import org.osgi.annotation.versioning.ConsumerType;

/** An invalidation plugin's state for one overlay. */
@ConsumerType
public interface InvalidationInstance {

    /** Begins listening for invalidations from other hosts. */
    void start() throws Exception;

    /** Stops listening and sending. */
    void stop();

    /**
     * Tells {@code sender} (an underlay address) that {@code mac} of {@code vnetId} is not here.
     * Called off the data path and already rate-limited by the core; must not block for long.
     */
    void sendInvalidation(long vnetId, long mac, InetAddress sender);
}
