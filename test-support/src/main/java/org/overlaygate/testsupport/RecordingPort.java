package org.overlaygate.testsupport;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.PortHandler;

/**
 * An {@link AttachedPort} for tests of what is attached to an overlay (a DHCP server, a router):
 * it records every frame sent through it ({@link #sent}, copies) and keeps the handler it was
 * attached with, for the test to hand frames to. Thread-safe.
 */
public class RecordingPort implements AttachedPort {
    public final String name;
    public final long mac;
    public final int vlan;
    public final PortHandler handler;
    public final List<byte[]> sent = new CopyOnWriteArrayList<>();
    private final OverlayDevice overlay;
    private final Runnable onClose;

    /**
     * @param overlay what {@link #overlay()} answers (may be null)
     * @param onClose run at each {@link #close()} (the fake device forgetting the port)
     */
    public RecordingPort(String name, long mac, int vlan, PortHandler handler, OverlayDevice overlay, Runnable onClose) {
        this.name = name;
        this.mac = mac;
        this.vlan = vlan;
        this.handler = handler;
        this.overlay = overlay;
        this.onClose = onClose;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int vlan() {
        return vlan;
    }

    @Override
    public OverlayDevice overlay() {
        return overlay;
    }

    @Override
    public void send(ByteBuffer frame) {
        byte[] copy = new byte[frame.remaining()];
        frame.duplicate().get(copy);
        sent.add(copy);
    }

    @Override
    public void sendInPlace(ByteBuffer direct, int offset, int length) {
        byte[] copy = new byte[length];
        direct.get(offset, copy);
        sent.add(copy);
    }

    @Override
    public DeviceStats.Counters stats() {
        throw new UnsupportedOperationException("a recording port counts nothing");
    }

    @Override
    public void close() {
        onClose.run();
    }
}
