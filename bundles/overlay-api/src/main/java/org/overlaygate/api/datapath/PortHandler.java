package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The far side of a port attached to an overlay ({@link OverlayDevice#attachPort}): a router's
 * interface, a service of the appliance. Called on data-path threads (a VNIC's reader, an underlay
 * socket's receive thread), one frame at a time and possibly from several threads at once, without
 * a copy: an implementation must not block, must not keep or write to the buffer after it returns
 * (other ports may be handed the same bytes), and should allocate nothing per frame. What it
 * throws costs that frame and is counted ({@code port_handler_failed}); it never stops the thread.
 *
 * @since 2.2
 */
@ConsumerType
public interface PortHandler {

    /** A unicast frame for the port's MAC, at [offset, offset+length) of {@code buf}. */
    void receive(ByteBuffer buf, int offset, int length);

    /**
     * A broadcast or multicast frame on the overlay.
     *
     * @param fromUnderlay whether it came from another host rather than from this one (a VNIC or
     *     another attached port)
     * @return true when the port answered it for itself and it is meant for nobody else (an ARP
     *     request or neighbour solicitation for one of the port's own addresses, a router
     *     solicitation): a frame from this host then goes neither to the overlay's other hosts nor
     *     to its search plugin's address proxy. The local ports get it either way.
     */
    boolean receiveGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay);
}
