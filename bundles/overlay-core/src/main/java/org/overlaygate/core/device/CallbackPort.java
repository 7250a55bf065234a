package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.PortHandler;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;

/**
 * An {@link AttachedPort}: a port of a device whose far side is a {@link PortHandler} run on the
 * data-path thread that delivers to it, and through which frames enter the device's transmit path
 * as a VNIC's do. Sending copies into a per-thread direct buffer with headroom, unless the caller
 * provides one ({@link #sendInPlace}); a handler that sends from within a delivery (a router
 * forwarding to another overlay, which hands the frame to another router) nests, up to
 * {@value #MAX_NESTING} sends deep on one thread, each with its own buffer.
 */
final class CallbackPort implements LocalPort, AttachedPort {
    /** A frame sent from within a handler that itself got a frame sent from within a handler ... beyond this depth is dropped. */
    static final int MAX_NESTING = 4;
    static final String NESTED_TOO_DEEP = "port_send_nested_too_deep";

    /** Per thread: one scratch buffer per nesting level, and the level in use. */
    private static final class Scratch {
        final ByteBuffer[] buffers = new ByteBuffer[MAX_NESTING];
        int depth;

        ByteBuffer enter() {
            if (depth == MAX_NESTING) {
                return null;
            }
            ByteBuffer b = buffers[depth];
            if (b == null) {
                b = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME);
                buffers[depth] = b;
            }
            depth++;
            return b;
        }

        void leave() {
            depth--;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Device device;
    private final String name;
    private final long mac;
    private final boolean shared;
    private final PortHandler handler;
    private final int vlan;
    private final Counters counters;
    private volatile boolean closed;

    CallbackPort(Device device, String name, long mac, boolean shared, int vlan, PortHandler handler) {
        this.device = device;
        this.vlan = vlan;
        this.name = name;
        this.mac = mac;
        this.shared = shared;
        this.handler = handler;
        this.counters = new Counters(name);
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
    public OverlayDevice overlay() {
        return device;
    }

    @Override
    public Counters counters() {
        return counters;
    }

    @Override
    public int vlan() {
        return vlan;
    }

    @Override
    public boolean sharedMac() {
        return shared;
    }

    // ---------------------------------------------------------------- into the handler

    @Override
    public void deliver(ByteBuffer buf, int offset, int length) {
        if (closed) {
            return;
        }
        try {
            handler.receive(buf, offset, length);
            counters.out(length);
        } catch (Throwable t) { // the handler's bug, or its bundle's classes gone: the frame only
            counters.drop(DropReasons.PORT_HANDLER_FAILED);
        }
    }

    @Override
    public boolean deliverGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
        if (closed) {
            return false;
        }
        try {
            boolean consumed = handler.receiveGroup(buf, offset, length, fromUnderlay);
            counters.out(length);
            return consumed;
        } catch (Throwable t) {
            counters.drop(DropReasons.PORT_HANDLER_FAILED);
            return false;
        }
    }

    // ---------------------------------------------------------------- from the handler

    @Override
    public void send(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > BufferLayout.MAX_FRAME) {
            counters.in(length);
            counters.drop(DropReasons.TOO_BIG);
            return;
        }
        Scratch scratch = SCRATCH.get();
        ByteBuffer b = scratch.enter();
        if (b == null) {
            counters.in(length);
            counters.drop(NESTED_TOO_DEEP);
            return;
        }
        try {
            b.put(BufferLayout.HEADROOM, frame, frame.position(), length);
            transmit(b, BufferLayout.HEADROOM, length);
        } finally {
            scratch.leave();
        }
    }

    @Override
    public void sendInPlace(ByteBuffer direct, int offset, int length) {
        if (!direct.isDirect() || offset < BufferLayout.HEADROOM || offset + length > direct.capacity()) {
            throw new IllegalArgumentException("a direct buffer with " + BufferLayout.HEADROOM + " bytes in front of the frame is needed");
        }
        Scratch scratch = SCRATCH.get();
        if (scratch.enter() == null) {
            counters.in(length);
            counters.drop(NESTED_TOO_DEEP);
            return;
        }
        try {
            transmit(direct, offset, length);
        } finally {
            scratch.leave();
        }
    }

    private void transmit(ByteBuffer buf, int offset, int length) {
        if (closed) {
            return;
        }
        device.fromVnic(this, buf, offset, length);
    }

    @Override
    public DeviceStats.Counters stats() {
        return counters.snapshot();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.removePort(this);
        }
    }

    @Override
    public String toString() {
        return "port " + name + " on " + device.name();
    }
}
