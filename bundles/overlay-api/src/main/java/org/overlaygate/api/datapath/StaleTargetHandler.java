package org.overlaygate.api.datapath;

import java.net.InetAddress;

import org.osgi.annotation.versioning.ConsumerType;

/** Told, off the data path and rate-limited, that {@code sender} sent us a frame for a MAC we do not have. */
@ConsumerType
public interface StaleTargetHandler {
    void staleTarget(long vnetId, long mac, InetAddress sender);
}
