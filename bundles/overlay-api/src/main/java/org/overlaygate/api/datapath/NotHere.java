package org.overlaygate.api.datapath;

import java.net.InetAddress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A unicast frame arrived from the underlay for a MAC that is not on this host: the sender's
 * target cache is stale. Handed to the overlay's invalidation instance, which tells the sender.
 * Rate-limited per (sender, MAC).
 */
@ProviderType
public interface NotHere extends Upcall {

    /** The inner destination MAC that is not here. */
    long mac();

    /** The outer source address of the frame: the host whose mapping is stale. */
    InetAddress sender();
}
