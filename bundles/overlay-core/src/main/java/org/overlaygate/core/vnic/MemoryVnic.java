package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.base.DropReasons;

/**
 * An in-memory VNIC: frames sent through its {@link MemoryPort} are switched on the caller's
 * thread; frames delivered to it wait in a bounded queue for {@link #receive}.
 */
public final class MemoryVnic extends Vnic implements MemoryPort {
    private final BlockingQueue<byte[]> delivered;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME);

    public MemoryVnic(String name, long mac, Device device, int queueBound) {
        this(name, mac, device, queueBound, org.overlaygate.api.datapath.VnicConfig.NO_VLAN);
    }

    public MemoryVnic(String name, long mac, Device device, int queueBound, int vlan) {
        super(name, mac, device, vlan);
        this.delivered = new ArrayBlockingQueue<>(queueBound);
    }

    @Override
    public VnicConfig.Kind kind() {
        return VnicConfig.Kind.MEMORY;
    }

    @Override
    public String osName() {
        return null;
    }

    @Override
    public void start() {
    }

    @Override
    public void close() {
        delivered.clear();
    }

    @Override
    public void deliver(ByteBuffer buf, int offset, int length) {
        byte[] copy = new byte[length];
        buf.get(offset, copy);
        if (delivered.offer(copy)) {
            counters.out(length);
        } else {
            counters.drop(DropReasons.DELIVERY_FAILED);
        }
    }

    @Override
    public void send(ByteBuffer frame) {
        int length = frame.remaining();
        synchronized (sendBuffer) {
            if (length > BufferLayout.MAX_FRAME) {
                counters.in(length);
                counters.drop(DropReasons.TOO_BIG);
                return;
            }
            sendBuffer.put(BufferLayout.HEADROOM, frame, frame.position(), length);
            try {
                device.fromVnic(this, sendBuffer, BufferLayout.HEADROOM, length);
            } catch (Throwable t) { // as on a reader thread: a failure costs the frame, counted
                counters.drop(PortVnic.READ_ERROR);
            }
        }
    }

    @Override
    public byte[] receive(long timeout, TimeUnit unit) throws InterruptedException {
        return delivered.poll(timeout, unit);
    }

    @Override
    public int queued() {
        return delivered.size();
    }
}
