package org.overlaygate.search.katar;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkEntry;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Request;
import org.overlaygate.katar.protocol.Svp;

/** A well-behaved fake server's answers, from tables the test fills; every LOG_RM is recorded. */
final class Script implements FakeSvpServer.Behaviour {
    final Map<Long, Vl2Ack> vl2 = new ConcurrentHashMap<>();
    final Map<InetAddress, Vl3Ack> vl3 = new ConcurrentHashMap<>();
    /** LOG_ACK entries handed out, one list per LOG_REQ, then empty ones. */
    final Deque<List<LogEntry>> logs = new ConcurrentLinkedDeque<>();
    /** BULK_ACK pages handed out in order; when null the server does not know BULK and never answers it (portolan). */
    volatile Deque<BulkAck> bulk = new ConcurrentLinkedDeque<>();
    final List<List<byte[]>> removed = new CopyOnWriteArrayList<>();
    final List<BulkRequest> bulkAsked = new CopyOnWriteArrayList<>();

    static Vl2Ack at(String ip, int port) {
        return new Vl2Ack(Svp.STATUS_OK, port, Addresses.toWire(Addresses.parseIp(ip)));
    }

    static Vl3Ack mac(long mac, String ip, int port) {
        return new Vl3Ack(Svp.STATUS_OK, mac, port, Addresses.toWire(Addresses.parseIp(ip)));
    }

    static byte[] id(int n) {
        byte[] id = new byte[16];
        id[15] = (byte) n;
        return id;
    }

    @Override
    public void on(Frame f, FakeSvpServer.Peer peer) throws IOException {
        switch (f.op()) {
            case Svp.OP_PING:
                peer.reply(f, Svp.OP_PONG, new byte[0]);
                break;
            case Svp.OP_VL2_REQ: {
                Vl2Request r = decode(() -> Vl2Request.decode(f.payload()));
                peer.reply(f, Svp.OP_VL2_ACK, vl2.getOrDefault(r.mac(), Vl2Ack.status(Svp.STATUS_NOTFOUND)).encode());
                break;
            }
            case Svp.OP_VL3_REQ: {
                Vl3Request r = decode(() -> Vl3Request.decode(f.payload()));
                Vl3Ack a = vl3.getOrDefault(Addresses.fromWire(r.ip()), Vl3Ack.status(Svp.STATUS_NOTFOUND));
                peer.reply(f, Svp.OP_VL3_ACK, a.encode());
                break;
            }
            case Svp.OP_LOG_REQ: {
                List<LogEntry> entries = logs.poll();
                peer.reply(f, Svp.OP_LOG_ACK, new LogAck(Svp.STATUS_OK, entries == null ? List.of() : entries).encode());
                break;
            }
            case Svp.OP_LOG_RM: {
                removed.add(decode(() -> Messages.LogRemove.decode(f.payload())).ids());
                peer.reply(f, Svp.OP_LOG_RM_ACK, new StatusOnly(Svp.STATUS_OK).encode());
                break;
            }
            case Svp.OP_BULK_REQ: {
                bulkAsked.add(decode(() -> BulkRequest.decode(f.payload())));
                Deque<BulkAck> pages = bulk;
                if (pages == null) {
                    break; // portolan: "unknown message" in its log, no answer, connection kept
                }
                BulkAck page = pages.poll();
                peer.reply(f, Svp.OP_BULK_ACK, (page == null ? new BulkAck(Svp.STATUS_OK, Svp.BULK_VL2, 0, List.of()) : page).encode());
                break;
            }
            default:
                peer.close();
        }
    }

    static BulkAck page(boolean more, BulkEntry... entries) {
        return new BulkAck(Svp.STATUS_OK, Svp.BULK_VL2, more ? Svp.BULK_FLAG_MORE : 0, new ArrayList<>(List.of(entries)));
    }

    private interface Decode<T> {
        T run() throws Exception;
    }

    private static <T> T decode(Decode<T> d) throws IOException {
        try {
            return d.run();
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
