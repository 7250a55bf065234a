package org.overlaygate.router;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * The connections a masquerading router translates: for each (protocol, inside address and port,
 * remote address and port) the outside port it was given (1025-65535, as Triton's NAT zones; for
 * ICMP echo the identifier), found again by the replies through (protocol, outside port). TCP
 * entries live by state (SYN seen: 120 s; established: 7440 s, RFC 5382; FIN: 120 s; RST: 10 s),
 * UDP 30 s until answered and 180 s after, ICMP echo 30 s, as Linux's conntrack defaults go. The
 * table is bounded; a new connection beyond it is refused (counted by the router). Arrays, no
 * objects per connection: nothing is allocated per packet. One monitor guards it: the critical
 * sections are a few array accesses.
 */
final class ConnTrack {
    static final int MAX = 16384;
    static final int FIRST_PORT = 1025;
    static final int LAST_PORT = 65535;
    static final long S = 1_000_000_000L;
    static final long TCP_SYN = 120 * S;
    static final long TCP_ESTABLISHED = 7440 * S;
    static final long TCP_FIN = 120 * S;
    static final long TCP_RST = 10 * S;
    static final long UDP_NEW = 30 * S;
    static final long UDP_REPLIED = 180 * S;
    static final long ICMP = 30 * S;

    private static final int TCP = 0;
    private static final int UDP = 1;
    private static final int ICMPV4 = 2;
    private static final int SLOTS = MAX * 2;
    private static final byte SYN_SENT = 0;
    private static final byte ESTABLISHED = 1;
    private static final byte CLOSING = 2;
    private static final byte CLOSED = 3;

    private final LongSupplier clock;
    private final int[] kind = new int[MAX];
    private final int[] insideIp = new int[MAX];
    private final int[] insidePort = new int[MAX];
    private final int[] remoteIp = new int[MAX];
    private final int[] remotePort = new int[MAX];
    private final int[] outsidePort = new int[MAX];
    private final long[] expires = new long[MAX];
    private final boolean[] replied = new boolean[MAX];
    private final boolean[] used = new boolean[MAX];
    /** TCP only: {@link #SYN_SENT}, {@link #ESTABLISHED}, {@link #CLOSING} or {@link #CLOSED}. */
    private final byte[] tcpState = new byte[MAX];
    /** Forward index: slot to entry + 1 (0 empty). */
    private int[] forward = new int[SLOTS];
    /** Reverse index per kind: outside port to entry + 1. */
    private final int[][] reverse = {new int[65536], new int[65536], new int[65536]};
    private final int[] cursor = {FIRST_PORT, FIRST_PORT, FIRST_PORT};
    private int size;
    private int free;

    ConnTrack(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    static int kindOf(int protocol) {
        return protocol == Packets.PROTO_TCP ? TCP : protocol == Packets.PROTO_UDP ? UDP : protocol == Packets.PROTO_ICMP ? ICMPV4 : -1;
    }

    private static int hash(int k, int ip, int port, int rip, int rport) {
        int h = k * 0x9E3779B1 ^ ip * 0x85EBCA6B ^ port * 0xC2B2AE35 ^ rip * 0x27D4EB2F ^ rport * 0x165667B1;
        h ^= h >>> 15;
        return h & (SLOTS - 1);
    }

    /**
     * The outside port of an outbound packet's connection, made when new; -1 when the table (or
     * the port range) is full.
     *
     * @param tcpFlags the TCP flags byte (0 for other protocols)
     */
    synchronized int outbound(int protocol, int ip, int port, int rip, int rport, int tcpFlags) {
        int k = kindOf(protocol);
        long now = clock.getAsLong();
        int e = find(k, ip, port, rip, rport);
        if (e < 0) {
            e = create(k, ip, port, rip, rport);
            if (e < 0) {
                return -1;
            }
        }
        refresh(e, k, tcpFlags, now, false);
        return outsidePort[e];
    }

    /** The entry a reply to an outside port belongs to (and it is refreshed), or -1; then {@link #insideIp(int)} and {@link #insidePort(int)}. */
    synchronized int inbound(int protocol, int port, int rip, int rport, int tcpFlags) {
        int e = quoted(protocol, port, rip, rport);
        if (e >= 0) {
            refresh(e, kind[e], tcpFlags, clock.getAsLong(), true);
        }
        return e;
    }

    /**
     * The entry of the connection an ICMP error from the outside is about (it quotes the packet
     * that left: outside port, remote address and port), without refreshing it; -1 if none.
     */
    synchronized int quoted(int protocol, int port, int rip, int rport) {
        int k = kindOf(protocol);
        if (k < 0 || port < 0 || port > 65535) {
            return -1;
        }
        int e = reverse[k][port] - 1;
        if (e < 0 || !used[e] || remoteIp[e] != rip || (k != ICMPV4 && remotePort[e] != rport)) {
            return -1;
        }
        return e;
    }

    synchronized int insideIp(int e) {
        return insideIp[e];
    }

    synchronized int insidePort(int e) {
        return insidePort[e];
    }

    private int find(int k, int ip, int port, int rip, int rport) {
        for (int i = hash(k, ip, port, rip, rport), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1), n++) {
            int e = forward[i] - 1;
            if (e < 0) {
                return -1;
            }
            if (kind[e] == k && insideIp[e] == ip && insidePort[e] == port && remoteIp[e] == rip && remotePort[e] == rport) {
                return e;
            }
        }
        return -1;
    }

    private int create(int k, int ip, int port, int rip, int rport) {
        if (size >= MAX) {
            return -1;
        }
        int out = -1;
        for (int n = 0; n <= LAST_PORT - FIRST_PORT; n++) {
            int p = cursor[k];
            cursor[k] = p == LAST_PORT ? FIRST_PORT : p + 1;
            if (reverse[k][p] == 0) {
                out = p;
                break;
            }
        }
        if (out < 0) {
            return -1;
        }
        return insert(k, ip, port, rip, rport, out);
    }

    /** Adds a connection on outside port {@code out}, which must be free. */
    private int insert(int k, int ip, int port, int rip, int rport, int out) {
        while (used[free]) {
            free = (free + 1) % MAX;
        }
        int e = free;
        used[e] = true;
        kind[e] = k;
        insideIp[e] = ip;
        insidePort[e] = port;
        remoteIp[e] = rip;
        remotePort[e] = rport;
        outsidePort[e] = out;
        replied[e] = false;
        tcpState[e] = SYN_SENT;
        reverse[k][out] = e + 1;
        int i = hash(k, ip, port, rip, rport);
        while (forward[i] != 0) {
            i = (i + 1) & (SLOTS - 1);
        }
        forward[i] = e + 1;
        size++;
        return e;
    }

    private void refresh(int e, int k, int tcpFlags, long now, boolean reply) {
        replied[e] |= reply;
        long life;
        if (k == TCP) {
            if ((tcpFlags & 0x04) != 0) {
                tcpState[e] = CLOSED;
            } else if ((tcpFlags & 0x01) != 0 && tcpState[e] != CLOSED) {
                tcpState[e] = CLOSING;
            } else if (tcpState[e] == SYN_SENT && reply) {
                tcpState[e] = ESTABLISHED;
            }
            life = tcpState[e] == SYN_SENT ? TCP_SYN : tcpState[e] == ESTABLISHED ? TCP_ESTABLISHED : tcpState[e] == CLOSING ? TCP_FIN : TCP_RST;
        } else if (k == UDP) {
            life = replied[e] ? UDP_REPLIED : UDP_NEW;
        } else {
            life = ICMP;
        }
        expires[e] = now + life;
    }

    /** Removes expired connections (the router's timer); returns how many. */
    synchronized int expire() {
        long now = clock.getAsLong();
        int removed = 0;
        for (int e = 0; e < MAX; e++) {
            if (used[e] && now - expires[e] >= 0) {
                used[e] = false;
                reverse[kind[e]][outsidePort[e]] = 0;
                removed++;
            }
        }
        if (removed > 0) {
            int[] fresh = new int[SLOTS];
            for (int e = 0; e < MAX; e++) {
                if (used[e]) {
                    int i = hash(kind[e], insideIp[e], insidePort[e], remoteIp[e], remotePort[e]);
                    while (fresh[i] != 0) {
                        i = (i + 1) & (SLOTS - 1);
                    }
                    fresh[i] = e + 1;
                }
            }
            forward = fresh;
            size -= removed;
        }
        return removed;
    }

    synchronized int size() {
        return size;
    }

    /**
     * Writes every connection with the lifetime it has left, for {@link #readFrom} in the next
     * version of the bundle (see {@link RouterState}).
     */
    synchronized void writeTo(DataOutput out) throws IOException {
        long now = clock.getAsLong();
        out.writeInt(size);
        for (int e = 0; e < MAX; e++) {
            if (used[e]) {
                out.writeByte(kind[e]);
                out.writeInt(insideIp[e]);
                out.writeShort(insidePort[e]);
                out.writeInt(remoteIp[e]);
                out.writeShort(remotePort[e]);
                out.writeShort(outsidePort[e]);
                out.writeLong(expires[e] - now);
                out.writeBoolean(replied[e]);
                out.writeByte(tcpState[e]);
            }
        }
    }

    /**
     * Takes back connections {@link #writeTo} wrote {@code elapsedNanos} ago, each on the outside
     * port it had (so that the outside's replies still find it) with what is left of its lifetime;
     * one that expired meanwhile, whose port is taken or that is malformed is skipped.
     *
     * @return the connections restored
     */
    synchronized int readFrom(DataInput in, long elapsedNanos) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX) {
            throw new IOException("bad connection count " + n);
        }
        long now = clock.getAsLong();
        int restored = 0;
        for (int i = 0; i < n; i++) {
            int k = in.readByte();
            int ip = in.readInt();
            int port = in.readUnsignedShort();
            int rip = in.readInt();
            int rport = in.readUnsignedShort();
            int out = in.readUnsignedShort();
            long left = in.readLong() - elapsedNanos;
            boolean wasReplied = in.readBoolean();
            byte state = in.readByte();
            if (k < TCP || k > ICMPV4 || out < FIRST_PORT || state < SYN_SENT || state > CLOSED || left <= 0 || size >= MAX
                    || reverse[k][out] != 0 || find(k, ip, port, rip, rport) >= 0) {
                continue;
            }
            int e = insert(k, ip, port, rip, rport, out);
            replied[e] = wasReplied;
            tcpState[e] = state;
            expires[e] = now + left;
            restored++;
        }
        return restored;
    }

    /** The connections, for router:conns: PROTO INSIDE OUTSIDE-PORT REMOTE SECONDS-LEFT. */
    synchronized java.util.List<String[]> rows() {
        java.util.List<String[]> out = new java.util.ArrayList<>();
        long now = clock.getAsLong();
        String[] names = {"tcp", "udp", "icmp"};
        for (int e = 0; e < MAX; e++) {
            if (used[e]) {
                out.add(new String[] {names[kind[e]], Ip.format(0, Ip.v4Lo(insideIp[e])) + ":" + insidePort[e], Integer.toString(outsidePort[e]),
                        Ip.format(0, Ip.v4Lo(remoteIp[e])) + ":" + remotePort[e], Long.toString(Math.max(0, (expires[e] - now) / S))});
            }
        }
        return out;
    }
}
