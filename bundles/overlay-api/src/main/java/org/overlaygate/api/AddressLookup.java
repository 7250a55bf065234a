package org.overlaygate.api;

import java.net.InetAddress;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Which MAC has an IP address on an overlay, asked of the overlay's search plugin as its ARP/NDP
 * proxy would ask it (katar's VL3 mappings, the files plugin's {@code arp} and {@code ndp} keys),
 * without a frame on the wire. For a router resolving a next hop. Registered by varpd while it
 * runs. Thread-safe.
 *
 * @since 1.2
 */
@ProviderType
public interface AddressLookup {
    /** No VLAN: the overlay's untagged network. */
    int NO_VLAN = -1;

    /**
     * Asks the overlay's search plugin. Completes, on a varpd or plugin thread, with the MAC, or
     * empty when the plugin does not know the address, does not answer address queries, or is
     * absent; it may take as long as the plugin takes, so callers bound their own wait. Never
     * completes exceptionally.
     *
     * @throws IllegalArgumentException when there is no such overlay
     */
    CompletionStage<OptionalLong> macOf(String overlay, InetAddress address, int vlan);
}
