package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP underlay (VXLAN): one socket bound to the listen address and port receives, on its own
 * thread; a pool of sockets bound to ports of the {@link SourcePorts} range sends, the socket
 * chosen by the inner flow's hash. Over IPv4 the sockets set DF (the kernel refuses, rather than
 * fragments, an outer packet too large for the path: RFC 7348 "MUST NOT fragment") and send zero
 * UDP checksums (section 5: "SHOULD be transmitted as zero"); receive accepts any checksum,
 * including zero. Devices refuse inner frames larger than their MTU, so with an overlay MTU that
 * fits the underlay nothing is ever refused. Each joined multicast group has a socket of its own,
 * bound to the group and the listen port (RFC 7348 section 4.2's flood-and-learn).
 */
public final class UdpMux extends BaseMux {
    private static final Logger LOG = LoggerFactory.getLogger(UdpMux.class);

    private final UdpEndpoint receiver;
    private final UdpEndpoint[] senders;
    private final int[] senderPorts;
    private final int bufferBytes;

    private UdpMux(UnderlayKey key, UdpEndpoint receiver, UdpEndpoint[] senders, int[] senderPorts, int bufferBytes) {
        super(key);
        this.receiver = receiver;
        this.senders = senders;
        this.senderPorts = senderPorts;
        this.bufferBytes = bufferBytes;
    }

    /**
     * Opens the receive socket and the sending pool and starts receiving.
     *
     * @throws DataPathException with the OS's reason when a socket cannot be opened
     */
    public static UdpMux open(UnderlayKey key, SourcePorts ports, int socketBufferBytes) throws DataPathException {
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
            UdpMux u = new UdpMux(key, rx, tx, txPorts, socketBufferBytes);
            u.startReading(rx, key.toString());
            LOG.info("underlay {} open, source ports {}", key, Arrays.toString(txPorts));
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
    public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
        String refused = senders[poolIndex(flowHash, senders.length)].send(buf, offset, length, destination);
        if (refused == null) {
            counters.out(length);
        }
        return refused;
    }

    @Override
    PacketSource openGroup(InetAddress group, String interfaceName) throws IOException {
        return UdpEndpoint.openGroup(group, key().listen().port(), interfaceName, key().listen().address(), bufferBytes);
    }

    @Override
    void setGroupSending(String interfaceName, int ttl) throws IOException {
        for (UdpEndpoint e : senders) {
            e.setGroupSending(interfaceName, key().listen().address(), ttl);
        }
    }

    @Override
    void closeSockets() {
        receiver.close();
        for (UdpEndpoint e : senders) {
            e.close();
        }
    }
}
