package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.overlaygate.core.os.TapDevice;

/** A TAP device as the far side of a VNIC; closing it removes the device. */
public final class TapFramePort implements FramePort {
    private final TapDevice tap;

    private TapFramePort(TapDevice tap) {
        this.tap = tap;
    }

    /**
     * Creates TAP device {@code name} with the VNIC's MAC and the overlay's MTU, with checksum and
     * TCP segmentation offloads (undone by the VNIC's {@link TcpSegmenter}), and brings it up.
     */
    public static TapFramePort open(String name, long mac, int mtu) throws IOException {
        TapDevice tap = TapDevice.create(name, true);
        try {
            tap.enableOffloads();
            tap.setMacAddress(mac);
            tap.setMtu(mtu);
            tap.setUp();
            return new TapFramePort(tap);
        } catch (IOException | RuntimeException e) {
            tap.close();
            throw e;
        }
    }

    @Override
    public String osName() {
        return tap.name();
    }

    @Override
    public long macAddress() throws IOException {
        return tap.macAddress();
    }

    @Override
    public int offloadHeaderLength() {
        return TapDevice.VNET_HEADER_LENGTH;
    }

    @Override
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        int n = tap.read(direct, offset - TapDevice.VNET_HEADER_LENGTH, timeoutMillis);
        return n <= 0 ? n : Math.max(0, n - TapDevice.VNET_HEADER_LENGTH);
    }

    /**
     * Writes the frame behind an all-zero vnet header (no offload: a complete frame whose checksums
     * the receiving stack verifies itself, since the underlay does not protect the inner frame).
     */
    @Override
    public boolean write(ByteBuffer direct, int offset, int length) throws IOException {
        int header = offset - TapDevice.VNET_HEADER_LENGTH;
        direct.putLong(header, 0L);
        direct.putShort(header + 8, (short) 0);
        return tap.write(direct, header, length + TapDevice.VNET_HEADER_LENGTH);
    }

    @Override
    public void close() {
        tap.close();
    }
}
