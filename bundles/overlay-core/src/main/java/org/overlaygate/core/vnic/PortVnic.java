package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.base.DropReasons;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VNIC backed by a {@link FramePort}: one reader thread per VNIC reads frames into its own direct
 * buffer (with headroom for the encapsulation header) and switches them through the device; any
 * thread may deliver to it.
 */
public final class PortVnic extends Vnic implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PortVnic.class);
    static final String READ_ERROR = "read_error";
    private static final int POLL_MILLIS = 200;

    private final VnicConfig.Kind kind;
    private final FramePort port;
    private final Thread reader;
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final TcpSegmenter.Sink toDevice;
    private volatile boolean closed;

    public PortVnic(String name, long mac, Device device, VnicConfig.Kind kind, FramePort port) {
        super(name, mac, device);
        this.kind = kind;
        this.port = port;
        this.toDevice = (buf, off, len) -> device.fromVnic(this, buf, off, len);
        this.reader = new Thread(this, "og-vnic " + name);
        reader.setDaemon(true);
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
        reader.start();
    }

    @Override
    public void deliver(ByteBuffer buf, int offset, int length) {
        try {
            if (port.write(buf, offset, length)) {
                counters.out(length);
            } else {
                counters.drop(DropReasons.DELIVERY_QUEUE_FULL);
            }
        } catch (IOException e) {
            counters.drop(DropReasons.DELIVERY_FAILED);
        }
    }

    @Override
    public void run() {
        int offloadHeader = port.offloadHeaderLength();
        // Room for a 64 KiB TCP segment when the port offloads segmentation to us.
        ByteBuffer buf = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + (offloadHeader > 0 ? 65536 : BufferLayout.MAX_FRAME));
        long lastError = 0;
        while (!closed) {
            try {
                int n = port.read(buf, BufferLayout.HEADROOM, POLL_MILLIS);
                if (n > 0) {
                    if (offloadHeader > 0) {
                        segmenter.process(buf, BufferLayout.HEADROOM - offloadHeader, BufferLayout.HEADROOM, n, counters, toDevice);
                    } else {
                        device.fromVnic(this, buf, BufferLayout.HEADROOM, n);
                    }
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (Throwable e) { // plugin code runs on this thread too: nothing may end it
                counters.drop(READ_ERROR);
                long now = System.nanoTime();
                if (now - lastError > 10_000_000_000L) { // one log line per 10 s, not one per frame
                    lastError = now;
                    LOG.warn("VNIC {}: {}", name, e.toString());
                }
                if (e instanceof IOException) {
                    sleepQuietly();
                }
            }
        }
    }

    private static void sleepQuietly() {
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
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
