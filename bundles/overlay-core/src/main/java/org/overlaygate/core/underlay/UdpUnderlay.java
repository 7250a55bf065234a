package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.core.device.DropReasons;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP underlay (VXLAN): one socket bound to the listen address and port receives, on its own
 * thread; a pool of sockets bound to ports of the {@link SourcePorts} range sends, the socket
 * chosen by the inner flow's hash. Over IPv4 the sockets set DF (the kernel refuses, rather than
 * fragments, an outer packet too large for the path: RFC 7348 "MUST NOT fragment") and send zero
 * UDP checksums (section 5: "SHOULD be transmitted as zero"); receive accepts any checksum,
 * including zero. Devices refuse inner frames larger than their MTU, so with an overlay MTU that
 * fits the underlay nothing is ever refused.
 */
public final class UdpUnderlay extends SharedUnderlay {
    private static final Logger LOG = LoggerFactory.getLogger(UdpUnderlay.class);

    private final UdpEndpoint receiver;
    private final UdpEndpoint[] senders;
    private final int[] senderPorts;

    private UdpUnderlay(UnderlayKey key, UdpEndpoint receiver, UdpEndpoint[] senders, int[] senderPorts) {
        super(key);
        this.receiver = receiver;
        this.senders = senders;
        this.senderPorts = senderPorts;
    }

    /**
     * Opens the receive socket and the sending pool and starts receiving.
     *
     * @throws DataPathException with the OS's reason when a socket cannot be opened
     */
    public static UdpUnderlay open(UnderlayKey key, SourcePorts ports, int socketBufferBytes) throws DataPathException {
        UnderlayAddress listen = key.listen();
        List<UdpEndpoint> opened = new ArrayList<>();
        try {
            UdpEndpoint rx = UdpEndpoint.open(listen.address(), listen.port(), socketBufferBytes);
            opened.add(rx);
            UdpEndpoint[] tx = new UdpEndpoint[ports.poolSize];
            int[] txPorts = new int[ports.poolSize];
            int start = Math.floorMod(listen.hashCode(), ports.range());
            int attempt = 0;
            for (int i = 0; i < tx.length; i++) {
                while (tx[i] == null) {
                    if (attempt >= ports.range()) {
                        throw new DataPathException("no free UDP source ports in " + ports + " on " + listen.address().getHostAddress());
                    }
                    int port = ports.candidate(start, i + attempt);
                    try {
                        tx[i] = UdpEndpoint.open(listen.address(), port, socketBufferBytes);
                        opened.add(tx[i]);
                        txPorts[i] = port;
                    } catch (BindException busy) {
                        attempt++;
                    }
                }
            }
            UdpUnderlay u = new UdpUnderlay(key, rx, tx, txPorts);
            u.startReceiving();
            LOG.info("underlay {} open, source ports {}", key, java.util.Arrays.toString(txPorts));
            return u;
        } catch (IOException | DataPathException e) {
            opened.forEach(UdpEndpoint::close);
            throw e instanceof DataPathException ? (DataPathException) e
                    : new DataPathException("cannot open UDP underlay " + listen + ": " + e.getMessage(), e);
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
        try {
            senders[poolIndex(flowHash, senders.length)].send(buf, offset, length, destination);
            counters.out(length);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    int readPacket(ByteBuffer buf) throws IOException {
        return receiver.receive(buf, POLL_MILLIS);
    }

    @Override
    InetAddress lastSender() {
        return receiver.lastSender();
    }

    /** A datagram larger than the receive buffer. */
    @Override
    String unreadableReason() {
        return DropReasons.TOO_BIG;
    }

    @Override
    void closeSockets() {
        receiver.close();
        for (UdpEndpoint e : senders) {
            e.close();
        }
    }
}
