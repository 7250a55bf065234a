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

    /** Creates TAP device {@code name} with the VNIC's MAC and the overlay's MTU, and brings it up. */
    public static TapFramePort open(String name, long mac, int mtu) throws IOException {
        TapDevice tap = TapDevice.create(name);
        try {
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
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        return tap.read(direct, offset, timeoutMillis);
    }

    @Override
    public void write(ByteBuffer direct, int offset, int length) throws IOException {
        tap.write(direct, offset, length);
    }

    @Override
    public void close() {
        tap.close();
    }
}
