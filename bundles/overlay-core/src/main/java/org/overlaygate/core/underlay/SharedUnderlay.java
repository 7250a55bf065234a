package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.core.device.Counters;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.DropReasons;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every underlay socket does the same way, whatever its transport: the receivers by vnet id,
 * the shared decapsulator, the counters, the receive thread and its loop, and the handling of one
 * received packet (decapsulate, demultiplex, deliver; every refusal counted, no exception escapes
 * to the receive thread). A transport supplies how to read one packet and close its sockets.
 */
abstract class SharedUnderlay implements UnderlaySocket {
    private static final Logger LOG = LoggerFactory.getLogger(SharedUnderlay.class);
    static final String DECAP_ERROR = "decap_error";
    static final String RECEIVE_ERROR = "receive_error";
    /** How long a read waits before the loop looks at the closed flag again. */
    static final int POLL_MILLIS = 250;

    private final UnderlayKey key;
    private final NonBlockingHashMapLong<UnderlayReceiver> receivers = new NonBlockingHashMapLong<>();
    protected final Counters counters;
    private volatile Encapsulator decapsulator;
    private final Thread thread;
    private volatile boolean closed;

    SharedUnderlay(UnderlayKey key) {
        this.key = key;
        this.counters = new Counters(key.toString());
        this.thread = new Thread(this::receiveLoop, "og-underlay " + key);
        thread.setDaemon(true);
    }

    /**
     * Reads one packet into {@code buf}, waiting up to {@link #POLL_MILLIS}, and leaves the
     * position at the encapsulation header and the limit at the packet's end.
     *
     * @return the bytes from the encapsulation header on, 0 when nothing came, -1 for a packet to
     *     drop as {@link #unreadableReason()}
     * @throws ClosedChannelException once the socket is closed
     */
    abstract int readPacket(ByteBuffer buf) throws IOException;

    /** The sender of the packet {@link #readPacket} last read. */
    abstract InetAddress lastSender();

    /** The drop reason of a packet {@link #readPacket} could not take. */
    abstract String unreadableReason();

    /** Closes the transport's sockets, which ends a read under way. */
    abstract void closeSockets();

    /** Starts the receive thread, once the sockets are open. */
    final void startReceiving() {
        thread.start();
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(Device.HEADROOM + 65536);
        DecapResult result = new DecapResult();
        while (!closed) {
            int n;
            try {
                buf.clear();
                n = readPacket(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                counters.drop(RECEIVE_ERROR);
                continue;
            }
            if (n == 0) {
                continue;
            }
            if (n < 0) {
                counters.in(0);
                counters.drop(unreadableReason());
                continue;
            }
            counters.in(n);
            receive(buf, result, lastSender());
        }
    }

    @Override
    public final void close() {
        closed = true;
        closeSockets();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("underlay {} closed", key);
    }

    @Override
    public final UnderlayKey key() {
        return key;
    }

    @Override
    public final void attach(long vnetId, UnderlayReceiver r) throws DataPathException {
        UnderlayReceiver existing = receivers.putIfAbsent(vnetId, r);
        if (existing != null && existing != r) {
            throw new DataPathException("vnet id " + vnetId + " is already used on underlay " + key + " by " + existing);
        }
    }

    @Override
    public final void detach(long vnetId, UnderlayReceiver r) {
        receivers.remove(vnetId, r);
    }

    @Override
    public final int attached() {
        return receivers.size();
    }

    @Override
    public final void setDecapsulator(Encapsulator d) {
        this.decapsulator = d;
    }

    @Override
    public final DeviceStats.Counters stats() {
        return counters.snapshot();
    }

    /**
     * Handles one received packet whose encapsulation header starts at the buffer's position and
     * ends at its limit: decapsulates it and delivers the inner frame to the device of its vnet id.
     */
    private void receive(ByteBuffer buf, DecapResult result, InetAddress sender) {
        try {
            Encapsulator d = decapsulator;
            if (d == null) {
                counters.drop(DropReasons.NO_ENCAPSULATION);
            } else if (!d.decapsulate(buf, result)) {
                counters.drop(result.dropReason());
            } else {
                UnderlayReceiver r = receivers.get(result.vnetId());
                if (r == null) {
                    counters.drop(DropReasons.UNKNOWN_VNET);
                } else {
                    r.fromUnderlay(buf, buf.position(), buf.limit() - buf.position(), sender);
                }
            }
        } catch (RuntimeException e) {
            // a plugin bug must cost one packet, never the receive thread
            counters.drop(DECAP_ERROR);
            LOG.warn("underlay {}: packet dropped on an unexpected error", key, e);
        }
    }
}
