package org.overlaygate.api.datapath;

import java.net.InetAddress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A frame from the underlay whose inner source MAC the target cache does not hold at the frame's
 * outer source address: what a flood-and-learn search plugin learns from (RFC 7348 section 4.2).
 * Reported only for devices whose search instance learns, only when it differs from the cache, and
 * at most a few times a second per MAC.
 */
@ProviderType
public interface LearnedSource extends Upcall {

    /** The inner source MAC. */
    long mac();

    /** The outer source address of the frame. */
    InetAddress address();

    /** The outer source port (0 for IP-protocol encapsulations); usually a hashed, ephemeral one. */
    int port();
}
