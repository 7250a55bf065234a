package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Map;

import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.os.GatherList;
import org.overlaygate.core.os.DataPathScheduling;
import org.overlaygate.core.underlay.SendBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VNIC backed by a {@link FramePort}: a reader thread per VNIC (two with realtimePriority,
 * below) reads frames and switches them through the device; any thread may deliver to it.
 *
 * <h2>The reader</h2>
 * Frames are read one after the other into a buffer of {@value #READ_BUFFER_BYTES} bytes, each
 * with {@link BufferLayout#HEADROOM} free bytes in front for the encapsulation header, and what the
 * device sends to the underlay for them is held in the reader's {@link SendBatch}. While the port
 * has frames ready the reader takes them without waiting; when it has none, when the buffer is
 * full, or when the segmenter needs its buffer again, the batch is flushed (one sendmmsg, trains
 * of one flow as UDP GSO sends) and reading starts again at the buffer's beginning. A TCP segment
 * larger than the MTU from a TAP with offloads is cut by the {@link TcpSegmenter} first. A port of
 * several queues (a multi-queue TAP) hands over frames of one queue after the other (see
 * {@link QueueRoundRobin}); when the queue changes, the batch is sent first, so that a lone frame
 * of one queue goes as soon as the next queue's turn begins.
 *
 * <h2>A reader of its own for light flows</h2>
 * With {@code realtimePriority} (see {@link DataPathScheduling}), a port of several queues gives
 * its first queue, which light flows share ({@link LightFlows}), to a second reader thread that
 * takes the real-time priority, and the first reader serves the other queues at the data path's
 * ordinary scheduling: a ping's frame then waits neither for a bulk queue's turn nor for a CPU,
 * and the bulk flows do not preempt the VMs' processes. Each reader has its own buffer, segmenter
 * and batch; the device and the VNIC's counters take frames from several threads anyway.
 */
public final class PortVnic extends Vnic {
    private static final Logger LOG = LoggerFactory.getLogger(PortVnic.class);
    static final String READ_ERROR = "read_error";
    private static final int POLL_MILLIS = 200;
    /** Where a reader's frames wait for their batch to be sent: room for several 64 KiB segments. */
    static final int READ_BUFFER_BYTES = 256 * 1024;

    private final VnicConfig.Kind kind;
    private final FramePort port;
    private final Reader reader;
    /** The reader of the port's first queue, light flows', when it has one of its own; else null. */
    private final Reader lightReader;
    private volatile boolean closed;

    public PortVnic(String name, long mac, Device device, VnicConfig.Kind kind, FramePort port) {
        this(name, mac, device, kind, port, VnicConfig.NO_VLAN);
    }

    public PortVnic(String name, long mac, Device device, VnicConfig.Kind kind, FramePort port, int vlan) {
        super(name, mac, device, vlan);
        this.kind = kind;
        this.port = port;
        // With real-time priority for the light path, light flows' queue gets a reader of its own
        // that takes it, and the reader of the bulk queues stays as the other data path threads.
        FramePort lightQueue = DataPathScheduling.lightPathIsRealtime() ? port.splitLightQueue() : null;
        this.reader = new Reader(port, "og-vnic " + name, lightQueue == null);
        this.lightReader = lightQueue == null ? null : new Reader(lightQueue, "og-vnic-light " + name, true);
    }

    @Override
    public VnicConfig.Kind kind() {
        return kind;
    }

    @Override
    public String osName() {
        return port.osName();
    }

    @Override
    public void start() {
        reader.thread.start();
        if (lightReader != null) {
            lightReader.thread.start();
        }
    }

    @Override
    public void deliver(ByteBuffer buf, int offset, int length) {
        FramePort.writeCounted(port, buf, offset, length, counters);
    }

    /** Its counters, with the frames an attached interface's reader dropped for their size (GRO, a veth peer's TSO) as {@code too_big}. */
    @Override
    public DeviceStats.Counters stats() {
        return counters.snapshotWith(DropReasons.TOO_BIG, port.oversizedReads());
    }

    /** Whether the receive path may hand this VNIC coalesced TCP segments. */
    boolean takesCoalesced() {
        return port.takesCoalesced();
    }

    /** Writes a frame the {@link TcpCoalescer} made of {@code frames} received frames of {@code bytes} bytes. */
    void deliverCoalesced(GatherList frame, int frames, long bytes) {
        try {
            String refused = port.writeCoalesced(frame);
            if (refused == null) {
                counters.out(frames, bytes);
            } else {
                counters.drop(refused, frames);
            }
        } catch (IOException e) {
            counters.drop(DropReasons.DELIVERY_FAILED, frames);
        }
    }

    /** The port's offloads by name: "on", or "off: " and why. */
    public Map<String, String> offloads() {
        return port.offloads();
    }

    /** A reader thread and what it owns: its port (or the port's light queue), buffer, segmenter and batch. */
    private final class Reader implements Runnable {
        private final FramePort source;
        private final Thread thread;
        /** Whether this thread carries light flows: it then takes the light path's scheduling. */
        private final boolean lightPath;
        private final TcpSegmenter segmenter = new TcpSegmenter();
        private final SendBatch batch = new SendBatch();
        private final TcpSegmenter.Sink toDevice;
        /** Where the reader reads the next frame (its headroom), in the read buffer. */
        private int next;
        /** The port's queue the last frame came from. */
        private int lastQueue;

        Reader(FramePort source, String threadName, boolean lightPath) {
            this.source = source;
            this.lightPath = lightPath;
            this.toDevice = new TcpSegmenter.Sink() {
                @Override
                public void frame(ByteBuffer buf, int off, int len) {
                    device.fromVnic(PortVnic.this, buf, off, len, batch);
                }

                @Override
                public void reuse() {
                    flush();
                }
            };
            this.thread = new Thread(this, threadName);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            DataPathScheduling.applyToDataPathThread(lightPath);
            int offloadHeader = source.offloadHeaderLength();
            int room = BufferLayout.HEADROOM + source.largestRead();
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(READ_BUFFER_BYTES, 2 * room));
            long lastError = 0;
            while (!closed) {
                try {
                    if (next + room > buf.capacity()) {
                        flush();
                    }
                    int frame = next + BufferLayout.HEADROOM;
                    int n = source.read(buf, frame, batch.size() > 0 ? 0 : POLL_MILLIS); // frames ready: no wait
                    if (n == 0) {
                        flush(); // nothing more for now: send what waits
                        continue;
                    }
                    next = (frame + n + 7) & ~7;
                    int queue = source.queue();
                    if (queue != lastQueue) {
                        // another queue's turn: what the last one's frames hold goes now, not behind this queue's
                        lastQueue = queue;
                        sendBatch();
                    }
                    if (offloadHeader > 0) {
                        segmenter.process(buf, frame - offloadHeader, frame, n, counters, toDevice);
                    } else {
                        device.fromVnic(PortVnic.this, buf, frame, n, batch);
                    }
                } catch (ClosedChannelException e) {
                    flush();
                    return;
                } catch (Throwable e) { // plugin code runs on this thread too: nothing may end it
                    counters.drop(READ_ERROR);
                    long now = System.nanoTime();
                    if (now - lastError > 10_000_000_000L) { // one log line per 10 s, not one per frame
                        lastError = now;
                        LOG.warn("VNIC {}: {}", name, e.toString());
                    }
                    if (e instanceof IOException) {
                        flush();
                        sleepQuietly();
                    }
                }
            }
            flush();
        }

        /** Sends what the batch holds; the read and segment buffers are free again. */
        private void flush() {
            sendBatch();
            next = 0;
        }

        /** Sends what the batch holds, and frees the segmenter's buffer; frames read after the batch's stay where they are. */
        private void sendBatch() {
            batch.flush();
            segmenter.reset();
        }
    }

    static void sleepQuietly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        port.close();
        try {
            reader.thread.join(2000);
            if (lightReader != null) {
                lightReader.thread.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
