package org.overlaygate.router;

import java.nio.ByteBuffer;
import java.util.List;

import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.HostLink;
import org.overlaygate.api.datapath.HostLinkHandler;

/** A host link that keeps a copy of every frame written to it (a {@link FakePort} records them) and hands the test's frames to its handler. */
class FakeLink implements HostLink {
    final String name;
    final int mtu;
    final HostLinkHandler handler;
    final FakePort written;
    boolean closed;

    FakeLink(String name, int mtu, HostLinkHandler handler) {
        this.name = name;
        this.mtu = mtu;
        this.handler = handler;
        this.written = new FakePort(name, 0, mtu);
    }

    /** A frame read from the interface, delivered as the data path does: in a direct buffer, at an offset. */
    void read(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(frame.length + 100);
        b.put(64, frame);
        handler.receive(b, 64, frame.length);
    }

    List<byte[]> take() {
        return written.take();
    }

    byte[] only() {
        return written.only();
    }

    @Override
    public String osName() {
        return name;
    }

    @Override
    public boolean createdTap() {
        return true;
    }

    @Override
    public long hostMac() {
        return 0x0200_0000_00AAL;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public void send(ByteBuffer direct, int offset, int length) {
        written.sendInPlace(direct, offset, length);
    }

    @Override
    public DeviceStats.Counters stats() {
        return written.stats();
    }

    @Override
    public void close() {
        closed = true;
    }
}
