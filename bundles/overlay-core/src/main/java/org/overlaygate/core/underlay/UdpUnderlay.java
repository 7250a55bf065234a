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

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.core.device.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP underlay (VXLAN): one socket bound to the listen address and port receives, on its own
 * thread; a pool of sockets bound to ports of the {@link SourcePorts} range sends, the socket
 * chosen by the inner flow's hash. Receive accepts whatever the kernel accepts, including a zero
 * UDP checksum (RFC 7348 section 5), and never fragments: the device refuses inner frames larger
 * than its MTU, and the overlay MTU plus the encapsulation overhead must fit the underlay MTU.
 */
public final class UdpUnderlay extends SharedUnderlay implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpUnderlay.class);

    private final DatagramChannel receiver;
    private final DatagramChannel[] senders;
    private final int[] senderPorts;
    private final Thread thread;
    private volatile boolean closed;

    private UdpUnderlay(UnderlayKey key, DatagramChannel receiver, DatagramChannel[] senders, int[] senderPorts) {
        super(key);
        this.receiver = receiver;
        this.senders = senders;
        this.senderPorts = senderPorts;
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
            receive(buf, result, ((InetSocketAddress) from).getAddress());
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
        LOG.info("underlay {} closed", key());
    }
}
