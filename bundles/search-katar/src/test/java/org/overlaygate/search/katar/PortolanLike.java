package org.overlaygate.search.katar;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Messages.Vl3Request;
import org.overlaygate.katar.protocol.Svp;

/**
 * A server that behaves as Joyent's portolan (HEAD, moray backend with its invalidation log) does
 * on the wire, as measured against it (issue 22), for the client's interoperability tests:
 * <ul>
 * <li>no BULK: any operation it does not know, op 7 included, crashes it (its unknown-op check
 * misses op 7): every connection closes, as when SMF restarts it;</li>
 * <li>LOG_ACK counts only the entries against the LOG_REQ's count: a full answer is count + 4
 * bytes (the status word);</li>
 * <li>LOG_RM removes the entries but is answered LOG_RM_ACK with status FATAL, and the connection
 * stays open;</li>
 * <li>VL2 and VL3 are answered from its mappings; a move logs a VL2 entry, and a VL3 entry for each
 * of the MAC's addresses, to every host's log.</li>
 * </ul>
 * One vnet. Thread-safe.
 */
final class PortolanLike implements FakeSvpServer.Behaviour {
    private final long vnet;
    private final Map<Long, Vl2Ack> vl2 = new ConcurrentHashMap<>();
    private final Map<InetAddress, Long> ipToMac = new ConcurrentHashMap<>();
    /** Each host's log, by its underlay address (as LOG_REQ names it). */
    private final Map<InetAddress, List<LogEntry>> logs = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    final AtomicInteger unknownOps = new AtomicInteger();
    final AtomicInteger logRmAnsweredFatal = new AtomicInteger();
    /** LOG_ACK payload sizes sent, with the count asked. */
    final List<int[]> logAckSizes = new CopyOnWriteArrayList<>();

    PortolanLike(long vnet) {
        this.vnet = vnet;
    }

    /** A host whose log this server keeps. */
    PortolanLike host(String underlayIp) {
        logs.put(Addresses.parseIp(underlayIp), new CopyOnWriteArrayList<>());
        return this;
    }

    /** MAC {@code mac} lives at {@code ip:port}, with these overlay addresses. */
    PortolanLike map(long mac, String ip, int port, String... addresses) {
        vl2.put(mac, Script.at(ip, port));
        for (String a : addresses) {
            ipToMac.put(Addresses.parseIp(a), mac);
        }
        return this;
    }

    /** Moves {@code mac} to {@code ip:port}: every host's log gets a VL2 entry, and a VL3 entry per address. */
    void move(long mac, String ip, int port) {
        vl2.put(mac, Script.at(ip, port));
        for (List<LogEntry> log : logs.values()) {
            log.add(new Vl2Invalidation(id(), mac, vnet));
            ipToMac.forEach((a, m) -> {
                if (m == mac) {
                    log.add(new Vl3Change(id(), Addresses.toWire(a), 0, vnet));
                }
            });
        }
    }

    /** Entries still in {@code host}'s log. */
    int logSize(String host) {
        return logs.get(Addresses.parseIp(host)).size();
    }

    private byte[] id() {
        return Script.id(nextId.getAndIncrement());
    }

    @Override
    public void on(Frame f, FakeSvpServer.Peer peer) throws IOException {
        try {
            switch (f.op()) {
                case Svp.OP_PING:
                    peer.reply(f, Svp.OP_PONG, new byte[0]);
                    return;
                case Svp.OP_VL2_REQ: {
                    Vl2Request r = Vl2Request.decode(f.payload());
                    Vl2Ack a = r.vnetId() == vnet ? vl2.get(r.mac()) : null;
                    peer.reply(f, Svp.OP_VL2_ACK, (a == null ? Vl2Ack.status(Svp.STATUS_NOTFOUND) : a).encode());
                    return;
                }
                case Svp.OP_VL3_REQ: {
                    Vl3Request r = Vl3Request.decode(f.payload());
                    Long mac = r.vnetId() == vnet ? ipToMac.get(Addresses.fromWire(r.ip())) : null;
                    Vl2Ack at = mac == null ? null : vl2.get(mac);
                    Vl3Ack a = at == null ? Vl3Ack.status(Svp.STATUS_NOTFOUND) : new Vl3Ack(Svp.STATUS_OK, mac, at.port(), at.ip());
                    peer.reply(f, Svp.OP_VL3_ACK, a.encode());
                    return;
                }
                case Svp.OP_LOG_REQ: {
                    LogRequest r = LogRequest.decode(f.payload());
                    List<LogEntry> log = logs.getOrDefault(Addresses.fromWire(r.ip()), List.of());
                    List<LogEntry> out = new ArrayList<>();
                    int bytes = 0;
                    for (LogEntry e : log) {
                        int size = e instanceof Vl2Invalidation ? 32 : 44;
                        if (bytes + size > r.count()) {
                            break; // the entries alone are held to count: the status word comes on top
                        }
                        out.add(e);
                        bytes += size;
                    }
                    byte[] payload = new LogAck(Svp.STATUS_OK, out).encode();
                    logAckSizes.add(new int[] {payload.length, (int) r.count()});
                    peer.reply(f, Svp.OP_LOG_ACK, payload);
                    return;
                }
                case Svp.OP_LOG_RM: {
                    Set<String> ids = new java.util.HashSet<>();
                    for (byte[] id : Messages.LogRemove.decode(f.payload()).ids()) {
                        ids.add(java.util.HexFormat.of().formatHex(id));
                    }
                    for (List<LogEntry> log : logs.values()) {
                        log.removeIf(e -> ids.contains(java.util.HexFormat.of().formatHex(e.id())));
                    }
                    logRmAnsweredFatal.incrementAndGet();
                    peer.reply(f, Svp.OP_LOG_RM_ACK, new StatusOnly(Svp.STATUS_FATAL).encode());
                    return;
                }
                default:
                    unknownOps.incrementAndGet();
                    peer.crashServer(); // TypeError in lib/parser.js: the process dies, every host loses its connection
            }
        } catch (org.overlaygate.katar.protocol.ProtocolException e) {
            throw new IOException(e);
        }
    }
}
