package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.UnderlayAddress;
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
 * A UDP underlay (VXLAN): one socket bound to the listen address and port receives, on its own
 * thread; a pool of sockets bound to ports of the {@link SourcePorts} range sends, the socket
 * chosen by the inner flow's hash. Receive accepts whatever the kernel accepts, including a zero
 * UDP checksum (RFC 7348 section 5), and never fragments: the device refuses inner frames larger
 * than its MTU, and the overlay MTU plus the encapsulation overhead must fit the underlay MTU.
 */
public final class UdpUnderlay implements UnderlaySocket, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpUnderlay.class);
    static final String DECAP_ERROR = "decap_error";
    static final String RECEIVE_ERROR = "receive_error";

    private final UnderlayKey key;
    private final DatagramChannel receiver;
    private final DatagramChannel[] senders;
    private final int[] senderPorts;
    private final NonBlockingHashMapLong<UnderlayReceiver> receivers = new NonBlockingHashMapLong<>();
    private final Counters counters;
    private final Thread thread;
    private volatile Encapsulator decapsulator;
    private volatile boolean closed;

    private UdpUnderlay(UnderlayKey key, DatagramChannel receiver, DatagramChannel[] senders, int[] senderPorts) {
        this.key = key;
        this.receiver = receiver;
        this.senders = senders;
        this.senderPorts = senderPorts;
        this.counters = new Counters(key.toString());
        this.thread = new Thread(this, "og-underlay " + key);
        thread.setDaemon(true);
    }

    /**
     * Opens the receive socket and the sending pool and starts receiving.
     *
     * @throws DataPathException with the OS's reason when a socket cannot be opened
     */
    public static UdpUnderlay open(UnderlayKey key, SourcePorts ports, int socketBufferBytes) throws DataPathException {
        UnderlayAddress listen = key.listen();
        StandardProtocolFamily family = listen.address() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
        List<DatagramChannel> opened = new ArrayList<>();
        try {
            DatagramChannel rx = DatagramChannel.open(family);
            opened.add(rx);
            rx.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
            rx.bind(listen.socketAddress());
            DatagramChannel[] tx = new DatagramChannel[ports.poolSize];
            int[] txPorts = new int[ports.poolSize];
            int start = Math.floorMod(listen.hashCode(), ports.range());
            int attempt = 0;
            for (int i = 0; i < tx.length; i++) {
                while (tx[i] == null) {
                    if (attempt >= ports.range()) {
                        throw new DataPathException("no free UDP source ports in " + ports + " on " + listen.address().getHostAddress());
                    }
                    int port = ports.candidate(start, i + attempt);
                    DatagramChannel ch = DatagramChannel.open(family);
                    try {
                        ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
                        ch.bind(new InetSocketAddress(listen.address(), port));
                        opened.add(ch);
                        tx[i] = ch;
                        txPorts[i] = port;
                    } catch (BindException busy) {
                        ch.close();
                        attempt++;
                    }
                }
            }
            UdpUnderlay u = new UdpUnderlay(key, rx, tx, txPorts);
            u.thread.start();
            LOG.info("underlay {} open, source ports {}", key, java.util.Arrays.toString(txPorts));
            return u;
        } catch (IOException e) {
            for (DatagramChannel ch : opened) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new DataPathException("cannot open UDP underlay " + listen + ": " + e.getMessage(), e);
        }
    }

    @Override
    public UnderlayKey key() {
        return key;
    }

    /** The source ports of the sending pool, in pool order. */
    public int[] sourcePorts() {
        return senderPorts.clone();
    }

    /** The pool socket a flow hash selects. */
    static int poolIndex(int flowHash, int poolSize) {
        return Math.floorMod(flowHash, poolSize);
    }

    @Override
    public boolean send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
        DatagramChannel ch = senders[poolIndex(flowHash, senders.length)];
        buf.limit(offset + length).position(offset);
        try {
            ch.send(buf, destination.socketAddress());
            counters.out(length);
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            buf.clear();
        }
    }

    @Override
    public void attach(long vnetId, UnderlayReceiver r) throws DataPathException {
        UnderlayReceiver existing = receivers.putIfAbsent(vnetId, r);
        if (existing != null && existing != r) {
            throw new DataPathException("vnet id " + vnetId + " is already used on underlay " + key + " by " + existing);
        }
    }

    @Override
    public void detach(long vnetId, UnderlayReceiver r) {
        receivers.remove(vnetId, r);
    }

    @Override
    public int attached() {
        return receivers.size();
    }

    @Override
    public void setDecapsulator(Encapsulator d) {
        this.decapsulator = d;
    }

    @Override
    public DeviceStats.Counters stats() {
        return counters.snapshot();
    }

    @Override
    public void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(Device.HEADROOM + 65536);
        DecapResult result = new DecapResult();
        while (!closed) {
            SocketAddress from;
            buf.clear();
            try {
                from = receiver.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                counters.drop(RECEIVE_ERROR);
                continue;
            }
            if (from == null) {
                continue;
            }
            buf.flip();
            counters.in(buf.remaining());
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
                        r.fromUnderlay(buf, buf.position(), buf.limit() - buf.position(), ((InetSocketAddress) from).getAddress());
                    }
                }
            } catch (RuntimeException e) {
                // a plugin bug must cost one packet, never the receive thread
                counters.drop(DECAP_ERROR);
                LOG.warn("underlay {}: packet dropped on an unexpected error", key, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            receiver.close();
        } catch (IOException ignored) {
            // closing
        }
        for (DatagramChannel ch : senders) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("underlay {} closed", key);
    }
}
