package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A copy of an ARP request or IPv6 neighbour solicitation a local VNIC sent on an overlay whose
 * search instance answers such requests by proxy. The frame is not flooded; the answer, if any, is
 * a reply frame given to {@link OverlayDevice#deliverProxyReply}. Gratuitous ARP is never an
 * address request. Rate-limited per device.
 */
@ProviderType
public interface AddressRequest extends Upcall {

    /** The Ethernet frame as the VNIC sent it (a read-only buffer, position to limit). */
    ByteBuffer frame();
}
