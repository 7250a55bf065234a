package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.os.RawIpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IP-protocol underlay (NVGRE: protocol 47): one raw IPv4 socket bound to the listen address,
 * owned by the core and shared by every overlay on that address, demultiplexed by vnet id (VSID).
 * Java has no raw IP sockets, so this goes through {@link RawIpSocket} (JNA); the kernel adds the
 * outer IPv4 header, routes and resolves neighbours, and sets DF so nothing is fragmented. Why a
 * raw socket rather than pcap injection is explained on {@link RawIpSocket}.
 */
public final class IpUnderlay extends SharedUnderlay implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IpUnderlay.class);
    static final String MALFORMED_IP = "malformed_ip";
    private static final int POLL_MILLIS = 250;

    private final RawIpSocket socket;
    private final Thread thread;
    private volatile boolean closed;

    private IpUnderlay(UnderlayKey key, RawIpSocket socket) {
        super(key);
        this.socket = socket;
        this.thread = new Thread(this, "og-underlay " + key);
        thread.setDaemon(true);
    }

    /**
     * Opens the raw socket for {@code protocol} on the key's (IPv4) listen address.
     *
     * @throws DataPathException for an IPv6 address or when the OS refuses (no CAP_NET_RAW ...)
     */
    public static IpUnderlay open(UnderlayKey key, int protocol, int socketBufferBytes) throws DataPathException {
        InetAddress listen = key.listen().address();
        if (!(listen instanceof Inet4Address)) {
            throw new DataPathException("IP-protocol underlays need an IPv4 listen address; " + listen.getHostAddress() + " is IPv6");
        }
        try {
            RawIpSocket raw = RawIpSocket.open(protocol, (Inet4Address) listen);
            try {
                raw.setReceiveBufferSize(socketBufferBytes);
                raw.setSendBufferSize(socketBufferBytes);
            } catch (IOException e) {
                LOG.info("underlay {}: socket buffers left at the system default: {}", key, e.getMessage());
            }
            IpUnderlay u = new IpUnderlay(key, raw);
            u.thread.start();
            LOG.info("underlay {} open", key);
            return u;
        } catch (IOException e) {
            throw new DataPathException("cannot open the " + key + " underlay: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
        try {
            if (!destination.isIpv4()) {
                return false;
            }
            socket.send(buf, offset, length, destination.ipv4Bits());
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
        int lastSource = 0;
        InetAddress lastSender = null;
        while (!closed) {
            int n;
            try {
                n = socket.receive(buf, 0, POLL_MILLIS);
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
                counters.drop(MALFORMED_IP);
                continue;
            }
            int payload = socket.payloadOffset();
            counters.in(n - payload);
            buf.limit(n).position(payload);
            int source = socket.sourceAddress();
            if (lastSender == null || source != lastSource) { // a new sender: the one allocation
                lastSender = toAddress(source);
                lastSource = source;
            }
            receive(buf, result, lastSender);
            buf.clear();
        }
    }

    private static InetAddress toAddress(int ipv4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("underlay {} closed", key());
    }
}
