package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.overlaygate.core.base.Offload;
import org.overlaygate.core.base.OffloadState;
import org.overlaygate.core.device.FlowHash;
import org.overlaygate.core.os.GatherList;
import org.overlaygate.core.os.TapDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TAP device as the far side of a VNIC; closing it removes the device. With the offloads it has
 * a vnet header in front of every frame both ways: {@code tap_tso} lets the stack behind it hand
 * over TCP segments of up to 64 KiB with partial checksums (undone by the VNIC's
 * {@link TcpSegmenter}), {@code tap_gro} lets the VNIC write TCP segments it coalesced
 * ({@link TcpCoalescer}). With neither, it is a plain TAP device of whole frames. With several
 * queues ({@code tap_mq}) it reads them in turns ({@link QueueRoundRobin}) and writes each frame
 * through a queue chosen by its flow's weight and hash ({@link LightFlows}): light flows share the
 * first, heavy ones spread over the others, and the kernel sends what the VM sends for a flow
 * through the queue the flow was written by.
 */
public final class TapFramePort implements FramePort {
    private static final Logger LOG = LoggerFactory.getLogger(TapFramePort.class);
    /** A TCP segment the stack hands over with TSO: 64 KiB of IP packet, its Ethernet header and a VLAN tag, with slack. */
    private static final int TSO_READ = 65536 + 256;
    /** What {@link #offloads()} calls the device's queues. */
    static final String QUEUES = "tap_mq";
    private final TapDevice tap;
    private final boolean vnetHeader;
    private final OffloadState offloads;
    private final String queuesState;
    private final int queues;
    /** The reader's turns over the queues; null with one queue. */
    private final QueueRoundRobin turns;
    /** The queue each written frame goes through; null with one queue. */
    private final LightFlows writeQueues;

    private TapFramePort(TapDevice tap, boolean vnetHeader, OffloadState offloads, int askedQueues) {
        this.tap = tap;
        this.vnetHeader = vnetHeader;
        this.offloads = offloads;
        this.queues = tap.queues();
        this.queuesState = queuesState(askedQueues, queues, tap.queueRefusal());
        this.writeQueues = queues == 1 ? null : new LightFlows(queues, System::nanoTime);
        this.turns = queues == 1 ? null : new QueueRoundRobin(new QueueRoundRobin.Queues() {
            @Override
            public int count() {
                return queues;
            }

            @Override
            public int read(int q, ByteBuffer direct, int offset) throws IOException {
                return tap.readQueue(q, direct, offset);
            }

            @Override
            public long await(int timeoutMillis) throws IOException {
                return tap.awaitQueues(timeoutMillis);
            }
        });
    }

    /** "on: 4 queues", or "off: " and why, for {@link #offloads()}. */
    static String queuesState(int asked, int got, String refusal) {
        if (asked <= 1) {
            return "off: one queue (setting tapQueues)";
        }
        if (got > 1) {
            return "on: " + got + " queues" + (refusal == null ? "" : " (" + refusal + ")");
        }
        return "off: " + refusal;
    }

    /** Creates it with every offload the kernel has, and one queue. */
    public static TapFramePort open(String name, long mac, int mtu) throws IOException {
        return open(name, mac, mtu, EnumSet.allOf(Offload.class), 1);
    }

    /**
     * Creates TAP device {@code name} with the VNIC's MAC and the overlay's MTU, the offloads
     * {@code allowed} that the kernel has (probed), and up to {@code queues} queues (as many as
     * the kernel gives; one when it refuses multi-queue, logged once and shown by
     * {@link #offloads()}), and brings it up.
     */
    public static TapFramePort open(String name, long mac, int mtu, Set<Offload> allowed, int queues) throws IOException {
        boolean vnetHeader = allowed.contains(Offload.TAP_TSO) || allowed.contains(Offload.TAP_GRO);
        TapDevice tap = TapDevice.create(name, vnetHeader, queues);
        try {
            OffloadState state = new OffloadState(EnumSet.of(Offload.TAP_TSO, Offload.TAP_GRO));
            if (allowed.contains(Offload.TAP_TSO)) {
                String refusal = null;
                try {
                    tap.enableOffloads();
                } catch (IOException e) {
                    refusal = e.getMessage();
                }
                state.settle(Offload.TAP_TSO, refusal);
            } else {
                state.off(Offload.TAP_TSO, OffloadState.OFF_BY_SETTING);
            }
            state.settle(Offload.TAP_GRO, allowed.contains(Offload.TAP_GRO) ? tap.probeSegmentedWrites() : OffloadState.OFF_BY_SETTING);
            tap.setMacAddress(mac);
            tap.setMtu(mtu);
            tap.setUp();
            if (tap.queueRefusal() != null) {
                LOG.warn("TAP device {}: {} of {} queues: {}", name, tap.queues(), queues, tap.queueRefusal());
            }
            return new TapFramePort(tap, vnetHeader, state, queues);
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
        return vnetHeader ? TapDevice.VNET_HEADER_LENGTH : 0;
    }

    @Override
    public int largestRead() {
        return offloads.uses(Offload.TAP_TSO) ? TSO_READ : FramePort.super.largestRead();
    }

    @Override
    public void busyPoll(long nanos) {
        tap.setBusyPoll(nanos);
    }

    @Override
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        return read(turns == null, direct, offset, timeoutMillis);
    }

    /**
     * A frame of the first queue alone ({@code firstQueue}: a device of one queue, or the light
     * queue's own reader), else of the queues in turns; without its vnet header.
     */
    private int read(boolean firstQueue, ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        int header = vnetHeader ? TapDevice.VNET_HEADER_LENGTH : 0;
        int n = firstQueue ? tap.read(direct, offset - header, timeoutMillis) : turns.read(direct, offset - header, timeoutMillis);
        return n <= 0 ? n : Math.max(0, n - header);
    }

    @Override
    public int queue() {
        return turns == null ? 0 : turns.queue();
    }

    @Override
    public FramePort splitLightQueue() {
        if (turns == null) {
            return null;
        }
        tap.leaveOutOfAwait(LightFlows.LIGHT_QUEUE);
        return new LightQueue();
    }

    /** The first queue, read on its own ({@link #splitLightQueue}); the rest is the device's. */
    private final class LightQueue implements FramePort {
        @Override
        public String osName() {
            return TapFramePort.this.osName();
        }

        @Override
        public long macAddress() throws IOException {
            return TapFramePort.this.macAddress();
        }

        @Override
        public int offloadHeaderLength() {
            return TapFramePort.this.offloadHeaderLength();
        }

        @Override
        public int largestRead() {
            return TapFramePort.this.largestRead();
        }

        @Override
        public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
            return TapFramePort.this.read(true, direct, offset, timeoutMillis); // the device's first fd: the first queue
        }

        @Override
        public String write(ByteBuffer direct, int offset, int length) throws IOException {
            return TapFramePort.this.write(direct, offset, length);
        }

        @Override
        public void close() {
            // the device is the TapFramePort's to close
        }
    }

    /**
     * The queue a frame of {@code bytes} is written through: by its flow ({@link FlowHash}) and
     * that flow's weight ({@link LightFlows}), since the kernel sends the stack's frames of a flow
     * through the queue the flow's frames came by.
     */
    private int queueOf(ByteBuffer buf, int offset, int length, long bytes) {
        return writeQueues == null ? 0 : writeQueues.queueFor(FlowHash.of(buf, offset, length), bytes);
    }

    /**
     * Writes the frame (behind an all-zero vnet header when the device has one: no offload, a
     * complete frame whose checksums the receiving stack verifies itself, since the underlay does
     * not protect the inner frame).
     */
    @Override
    public String write(ByteBuffer direct, int offset, int length) throws IOException {
        int queue = queueOf(direct, offset, length, length);
        return vnetHeader ? tap.writeWithoutOffload(queue, direct, offset, length) : tap.write(queue, direct, offset, length);
    }

    @Override
    public boolean takesCoalesced() {
        return offloads.uses(Offload.TAP_GRO);
    }

    @Override
    public String writeCoalesced(GatherList frame) throws IOException {
        // piece 0 is the vnet header, piece 1 the first segment's headers and payload
        return tap.write(queueOf(frame.buffer(1), frame.offset(1), frame.length(1), frame.bytes()), frame);
    }

    @Override
    public Map<String, String> offloads() {
        Map<String, String> out = offloads.describe();
        out.put(QUEUES, queuesState);
        return out;
    }

    @Override
    public void close() {
        tap.close();
    }
}
