package org.overlaygate.katar.server.net;

import java.util.Arrays;
import java.util.Locale;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogRemove;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Request;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each request gets: PING and cache hits an answer at once, lookups a worker (through
 * {@link Admission}), a request that does not fit its operation a FATAL answer and the end of its
 * connection. Runs on the I/O thread.
 *
 * <p>A host's invalidation log is its own: a LOG_REQ naming another address than the
 * connection's source is answered NOTFOUND and counted ({@code log_refused_address}), and LOG_RM
 * removes only entries of the source's host, unless the server trusts named addresses (hosts
 * behind NAT, whose source is not their underlay address). A loopback source may name any
 * loopback address: pretend hosts on one machine.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final byte[] EMPTY = new byte[0];
    /** The largest VL2_ACK, VL3_ACK, PONG or LOG_RM_ACK message. */
    private static final int SMALL_REPLY = Svp.HEADER_SIZE + Svp.VL3_ACK_SIZE;

    private final Backend backend;
    private final Limits limits;
    private final Admission admission;
    private final ServerStats stats;
    private final boolean trustNamedAddress;

    Dispatcher(Backend backend, Limits limits, Admission admission, ServerStats stats, boolean trustNamedAddress) {
        this.backend = backend;
        this.limits = limits;
        this.admission = admission;
        this.stats = stats;
        this.trustNamedAddress = trustNamedAddress;
    }

    void handle(Connection c, Frame f) {
        // One counter per known request, one for everything else: 65,536 op codes are not 65,536 counters.
        stats.increment(Svp.replyOf(f.op()) < 0 ? "requests_unknown" : "requests_" + Svp.opName(f.op()).toLowerCase(Locale.ROOT));
        long readAt = System.nanoTime();
        boolean toWorker = false;
        try {
            toWorker = answer(c, f, readAt);
        } finally {
            if (!toWorker) {
                stats.requestDuration().record(System.nanoTime() - readAt); // answered here, from the cache or at once
            }
        }
    }

    /** Answers {@code f} or hands it to a worker (true: the worker times it). */
    private boolean answer(Connection c, Frame f, long readAt) {
        try {
            switch (f.op()) {
                case Svp.OP_PING:
                    if (f.payload().length != 0) {
                        throw new ProtocolException(ProtocolException.Reason.MALFORMED, "PING with a payload");
                    }
                    c.reply(f.id(), Svp.OP_PONG, EMPTY);
                    return false;
                case Svp.OP_VL2_REQ: {
                    Vl2Request r = Vl2Request.decode(f.payload());
                    Vl2Ack hit = backend.cachedVl2(r.vnetId(), r.mac());
                    if (hit != null) {
                        c.reply(f.id(), Svp.OP_VL2_ACK, hit.encode());
                        return false;
                    }
                    return submit(c, f, Svp.OP_VL2_ACK, SMALL_REPLY, () -> backend.loadVl2(r.vnetId(), r.mac()).encode(),
                            Vl2Ack.status(Svp.STATUS_TRYAGAIN).encode(), readAt);
                }
                case Svp.OP_VL3_REQ: {
                    Vl3Request r = Vl3Request.decode(f.payload());
                    if (r.type() != Svp.VL3_IPV4 && r.type() != Svp.VL3_IPV6) {
                        stats.increment("answered_badl3type");
                        c.reply(f.id(), Svp.OP_VL3_ACK, Vl3Ack.status(Svp.STATUS_BADL3TYPE).encode());
                        return false;
                    }
                    Vl3Ack hit = backend.cachedVl3(r.vnetId(), r.ip());
                    if (hit != null) {
                        c.reply(f.id(), Svp.OP_VL3_ACK, hit.encode());
                        return false;
                    }
                    return submit(c, f, Svp.OP_VL3_ACK, SMALL_REPLY, () -> backend.loadVl3(r.vnetId(), r.ip()).encode(),
                            Vl3Ack.status(Svp.STATUS_TRYAGAIN).encode(), readAt);
                }
                case Svp.OP_LOG_REQ: {
                    LogRequest r = LogRequest.decode(f.payload());
                    if (r.count() < 4) {
                        // No LOG_ACK fits in fewer than 4 bytes: a request that cannot be answered.
                        throw new ProtocolException(ProtocolException.Reason.MALFORMED, "LOG_REQ count " + r.count() + " < 4");
                    }
                    if (!trustNamedAddress && !ownAddress(c, r.ip())) {
                        stats.increment("log_refused_address");
                        LOG.debug("katar: {} asked for the log of {}: refused", c.remote, Addresses.formatIp(r.ip()));
                        c.reply(f.id(), Svp.OP_LOG_ACK, new StatusOnly(Svp.STATUS_NOTFOUND).encode());
                        return false;
                    }
                    int max = (int) Math.min(r.count(), limits.maxMessageBytes());
                    return submit(c, f, Svp.OP_LOG_ACK, Svp.HEADER_SIZE + max, () -> backend.log(r.ip(), max).encode(),
                            new StatusOnly(Svp.STATUS_TRYAGAIN).encode(), readAt);
                }
                case Svp.OP_LOG_RM: {
                    LogRemove r = LogRemove.decode(f.payload());
                    java.util.function.Predicate<byte[]> owner = trustNamedAddress ? null : ip -> ownAddress(c, ip);
                    return submit(c, f, Svp.OP_LOG_RM_ACK, SMALL_REPLY, () -> {
                        backend.logRemove(owner, r.ids());
                        return new StatusOnly(Svp.STATUS_OK).encode();
                    }, new StatusOnly(Svp.STATUS_TRYAGAIN).encode(), readAt);
                }
                case Svp.OP_BULK_REQ: {
                    BulkRequest r = BulkRequest.decode(f.payload());
                    if (r.type() != Svp.BULK_VL2 && r.type() != Svp.BULK_VL3) {
                        stats.increment("answered_badbulk");
                        c.reply(f.id(), Svp.OP_BULK_ACK, BulkAck.status(Svp.STATUS_BADBULK, r.type()).encode());
                        return false;
                    }
                    return submit(c, f, Svp.OP_BULK_ACK, limits.largestReply(), () -> backend.bulk(r, limits.maxMessageBytes()).encode(),
                            BulkAck.status(Svp.STATUS_TRYAGAIN, r.type()).encode(), readAt);
                }
                default:
                    // Unknown, or an operation a server never receives (an ACK, SHOOTDOWN).
                    stats.increment("closed_unknown_op");
                    c.reply(f.id(), Svp.OP_UNKNOWN, new StatusOnly(Svp.STATUS_FATAL).encode());
                    c.closeAfterReplies();
                    return false;
            }
        } catch (ProtocolException e) {
            stats.increment("closed_malformed");
            LOG.debug("katar: closing {}: {}", c.remote, e.getMessage());
            byte[] fatal = fatalAnswer(f.op());
            if (fatal != null) {
                c.reply(f.id(), Svp.replyOf(f.op()), fatal);
            }
            c.closeAfterReplies();
            return false;
        }
    }

    private boolean submit(Connection c, Frame f, int replyOp, int worstReply, java.util.concurrent.Callable<byte[]> lookup,
            byte[] tryAgain, long readAt) {
        if (admission.submit(c, f, replyOp, worstReply, lookup, tryAgain, readAt)) {
            return true;
        }
        c.reply(f.id(), replyOp, tryAgain);
        return false;
    }

    /**
     * Whether {@code named} is the connection's own address. Loopback stands for every loopback
     * address: several pretend hosts on one machine (127.0.0.1, .2, .3) connect from 127.0.0.1,
     * and a process there could as well read the database.
     */
    private static boolean ownAddress(Connection c, byte[] named) {
        if (Arrays.equals(named, sourceWire(c))) {
            return true;
        }
        return loopback(c.source) && loopback(Addresses.fromWire(named));
    }

    private static boolean loopback(java.net.InetAddress a) {
        return a != null && a.isLoopbackAddress();
    }

    private static byte[] sourceWire(Connection c) {
        return c.source == null ? new byte[16] : Addresses.toWire(c.source); // no source: :: names no host
    }

    /** The FATAL answer of a malformed request, or null when its answer has no status (PING). */
    private static byte[] fatalAnswer(int op) {
        switch (op) {
            case Svp.OP_VL2_REQ:
                return Vl2Ack.status(Svp.STATUS_FATAL).encode();
            case Svp.OP_VL3_REQ:
                return Vl3Ack.status(Svp.STATUS_FATAL).encode();
            case Svp.OP_LOG_REQ:
                return null; // a LOG_ACK must fit in the count asked, which may be < 4
            case Svp.OP_LOG_RM:
                return new StatusOnly(Svp.STATUS_FATAL).encode();
            case Svp.OP_BULK_REQ:
                return BulkAck.status(Svp.STATUS_FATAL, 0).encode();
            default:
                return null;
        }
    }
}
