package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
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
public final class IpUnderlay extends SharedUnderlay {
    private static final Logger LOG = LoggerFactory.getLogger(IpUnderlay.class);
    static final String MALFORMED_IP = "malformed_ip";

    private final RawIpSocket socket;
    private final SenderCache senders = new SenderCache();

    private IpUnderlay(UnderlayKey key, RawIpSocket socket) {
        super(key);
        this.socket = socket;
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
            u.startReceiving();
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
    int readPacket(ByteBuffer buf) throws IOException {
        int n = socket.receive(buf, 0, POLL_MILLIS);
        if (n <= 0) {
            return n;
        }
        int payload = socket.payloadOffset();
        buf.limit(n).position(payload);
        return n - payload;
    }

    @Override
    InetAddress lastSender() {
        return senders.of(socket.sourceAddress());
    }

    @Override
    String unreadableReason() {
        return MALFORMED_IP;
    }

    @Override
    void closeSockets() {
        socket.close();
    }
}
