package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the frames read from a {@link HostLink} go: called on the link's reader thread, one frame
 * at a time, every frame the interface delivers (unicast to any MAC, broadcast, multicast: the
 * handler filters). As for a {@link PortHandler}: must not block, must not keep or write to the
 * buffer after it returns, should allocate nothing per frame; what it throws costs that frame and is
 * counted ({@code port_handler_failed}).
 *
 * @since 2.4
 */
@ConsumerType
public interface HostLinkHandler {

    /** A frame read from the interface, at [offset, offset+length) of {@code buf}. */
    void receive(ByteBuffer buf, int offset, int length);
}
