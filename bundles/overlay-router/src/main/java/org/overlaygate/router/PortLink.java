package org.overlaygate.router;

import java.nio.ByteBuffer;

import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.HostLink;
import org.overlaygate.api.datapath.OverlayDevice;

/**
 * What joins a {@link RouterPort} to its network while it is up: the port attached to an overlay,
 * or, for the uplink, a host link (a TAP device or an attached interface). Everything the router
 * sends out of a port goes through it.
 */
interface PortLink {

    /**
     * Sends a frame in place: [offset, offset+length) of a direct buffer with
     * {@link AttachedPort#HEADROOM} free bytes in front ({@link Scratch}).
     */
    void sendInPlace(ByteBuffer direct, int offset, int length);

    /** Sends a frame (a whole array), copied first. */
    void send(byte[] frame);

    /** The largest IP packet the network takes. */
    int mtu();

    /** Frames in and out and drops, as the data path counts them. */
    DeviceStats.Counters stats();

    /** The overlay of an attached port; {@code null} for a host link. */
    OverlayDevice overlay();

    void close();

    static PortLink of(AttachedPort port) {
        return new PortLink() {
            @Override
            public void sendInPlace(ByteBuffer direct, int offset, int length) {
                port.sendInPlace(direct, offset, length);
            }

            @Override
            public void send(byte[] frame) {
                port.send(ByteBuffer.wrap(frame));
            }

            @Override
            public int mtu() {
                return port.overlay().mtu();
            }

            @Override
            public DeviceStats.Counters stats() {
                return port.stats();
            }

            @Override
            public OverlayDevice overlay() {
                return port.overlay();
            }

            @Override
            public void close() {
                port.close();
            }
        };
    }

    static PortLink of(HostLink link) {
        return new PortLink() {
            @Override
            public void sendInPlace(ByteBuffer direct, int offset, int length) {
                link.send(direct, offset, length);
            }

            @Override
            public void send(byte[] frame) {
                ByteBuffer b = Scratch.enter();
                if (b == null) {
                    return;
                }
                try {
                    b.put(Scratch.OFFSET, frame);
                    link.send(b, Scratch.OFFSET, frame.length);
                } finally {
                    Scratch.leave();
                }
            }

            @Override
            public int mtu() {
                return link.mtu();
            }

            @Override
            public DeviceStats.Counters stats() {
                return link.stats();
            }

            @Override
            public OverlayDevice overlay() {
                return null;
            }

            @Override
            public void close() {
                link.close();
            }
        };
    }
}
