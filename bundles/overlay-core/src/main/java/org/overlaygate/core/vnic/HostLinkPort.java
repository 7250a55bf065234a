package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.HostLink;
import org.overlaygate.api.datapath.HostLinkHandler;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.DataPathScheduling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HostLink}'s device: a {@link FramePort} (a plain TAP device, or an interface attached
 * through pcap) whose frames go to a handler rather than into an overlay. One reader thread hands
 * each frame to the handler in the reader's own buffer; any thread may send. Services hold it
 * through a {@link HostLinkLease}: between two leases it has no handler (a TAP device kept for a
 * service's next version), and what it reads meanwhile is dropped as {@code link_unclaimed}.
 */
public final class HostLinkPort implements HostLink, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HostLinkPort.class);
    private static final int POLL_MILLIS = 200;

    private final FramePort port;
    private final boolean createdTap;
    private final long hostMac;
    private final int mtu;
    private volatile HostLinkHandler handler;
    /** Set by the reader while it calls the handler (see {@link #claim}). */
    private volatile boolean inHandler;
    private final Counters counters;
    private final Thread reader;
    private final Runnable onClose;
    private volatile boolean closed;

    /** @param onClose run once when the link is closed (the data path forgets it) */
    public HostLinkPort(FramePort port, boolean createdTap, int mtu, HostLinkHandler handler, Runnable onClose) throws IOException {
        this.port = port;
        this.createdTap = createdTap;
        this.hostMac = port.macAddress();
        this.mtu = mtu;
        this.handler = handler;
        this.onClose = onClose;
        this.counters = new Counters("link " + port.osName());
        this.reader = new Thread(this, "og-link " + port.osName());
        reader.setDaemon(true);
    }

    public void start() {
        reader.start();
    }

    /**
     * Gives the link a new handler, or none ({@code null}). Once this returns the previous handler
     * is called no more: a call in progress on the reader has ended.
     */
    public void claim(HostLinkHandler next) {
        handler = next;
        long deadline = System.nanoTime() + 2_000_000_000L;
        // the reader sets inHandler before it reads the handler: seen false here, it reads the new one
        while (inHandler && Thread.currentThread() != reader && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Whether a service holds it. */
    public boolean claimed() {
        return handler != null;
    }

    /** Counts a frame a closed lease tried to send. */
    void dropUnclaimed() {
        counters.drop(DropReasons.LINK_UNCLAIMED);
    }

    @Override
    public String osName() {
        return port.osName();
    }

    @Override
    public boolean createdTap() {
        return createdTap;
    }

    @Override
    public long hostMac() {
        return hostMac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public void send(ByteBuffer direct, int offset, int length) {
        if (closed) {
            counters.drop(DropReasons.VNIC_DOWN);
            return;
        }
        if (length > mtu + BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG) {
            counters.drop(DropReasons.TOO_BIG);
            return;
        }
        FramePort.writeCounted(port, direct, offset, length, counters);
    }

    /** The counters, with the frames the port dropped itself for their size counted as {@code too_big}. */
    @Override
    public DeviceStats.Counters stats() {
        return counters.snapshotWith(DropReasons.TOO_BIG, port.oversizedReads());
    }

    @Override
    public void run() {
        DataPathScheduling.applyToDataPathThread();
        ByteBuffer buf = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME);
        long lastError = 0;
        while (!closed) {
            try {
                int n = port.read(buf, BufferLayout.HEADROOM, POLL_MILLIS);
                if (n == 0) {
                    continue;
                }
                counters.in(n);
                inHandler = true;
                try {
                    HostLinkHandler h = handler;
                    if (h == null) {
                        counters.drop(DropReasons.LINK_UNCLAIMED);
                    } else {
                        h.receive(buf, BufferLayout.HEADROOM, n);
                    }
                } finally {
                    inHandler = false;
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (Throwable e) { // the handler is plugin code: nothing it throws may end the reader
                boolean io = e instanceof IOException;
                counters.drop(io ? PortVnic.READ_ERROR : DropReasons.PORT_HANDLER_FAILED);
                long now = System.nanoTime();
                if (now - lastError > 10_000_000_000L) { // one log line per 10 s, not one per frame
                    lastError = now;
                    LOG.warn("host link {}: {}", port.osName(), e.toString());
                }
                if (io) {
                    PortVnic.sleepQuietly(); // a failing device: no busy loop
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        port.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onClose.run();
    }
}
