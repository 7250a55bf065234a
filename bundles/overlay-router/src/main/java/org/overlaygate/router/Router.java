package org.overlaygate.router;

import static org.overlaygate.router.Packets.ETH;
import static org.overlaygate.router.Packets.u16;
import static org.overlaygate.router.Packets.u8;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

import org.overlaygate.api.MacAddress;

/**
 * One virtual router: its ports on overlays, its routes, and what it does with a frame a port
 * receives, on the data-path thread that delivers it. As a host it answers ARP and neighbour
 * solicitations for its addresses (from senders on the port's subnets only), echo requests, and
 * router solicitations; anything else addressed to it gets port unreachable. Everything else sent
 * to its MAC is forwarded (RFC 1812, RFC 8200): longest-prefix match, TTL or hop limit decremented
 * (with RFC 1624's incremental checksum), the frame rewritten with the router's MAC as source and
 * the next hop's as destination and sent into the egress overlay, or answered with an ICMP error
 * from the ingress port's address, rate-limited.
 *
 * <p>A forwarded packet is copied once into a per-thread buffer ({@link Scratch}) and sent in
 * place: nothing is allocated per packet while the next hop is known.
 */
final class Router {
    /** Asks an overlay's search plugin which MAC has an address (varpd's AddressLookup). */
    interface Resolver {
        CompletionStage<OptionalLong> macOf(String overlay, long hi, long lo);
    }

    /** What the data path reads: one immutable value behind one volatile. */
    static final class Config {
        final RouterDefinition definition;
        final RouterPort[] ports;
        final RouteTable table;
        final long[] localHi;
        final long[] localLo;
        /** 1:1 NAT in force: PUBLIC, INSIDE, and the port whose subnet PUBLIC is on. */
        final int[] natPublic;
        final int[] natInside;
        final RouterPort[] natOutside;
        /** Masquerading in force: the inside prefix, the address it leaves from, and that address's port. */
        final Prefix[] masqInside;
        final int[] masqAddress;
        final RouterPort[] masqOutside;

        Config(RouterDefinition definition, RouterPort[] ports, RouteTable table) {
            this.definition = definition;
            this.ports = ports;
            this.table = table;
            List<RouterDefinition.MasqueradeSpec> masq = new ArrayList<>();
            List<RouterPort> masqPorts = new ArrayList<>();
            for (RouterDefinition.MasqueradeSpec m : definition.masquerades) {
                for (RouterPort p : ports) {
                    if (p.onLink(m.address.hi, m.address.lo)) {
                        masq.add(m);
                        masqPorts.add(p);
                        break;
                    }
                }
            }
            masqInside = new Prefix[masq.size()];
            masqAddress = new int[masq.size()];
            masqOutside = masqPorts.toArray(new RouterPort[0]);
            for (int i = 0; i < masqInside.length; i++) {
                masqInside[i] = masq.get(i).inside;
                masqAddress[i] = (int) masq.get(i).address.lo;
            }
            List<RouterDefinition.NatSpec> nats = new ArrayList<>();
            List<RouterPort> outside = new ArrayList<>();
            for (RouterDefinition.NatSpec n : definition.nats) {
                RouterPort on = null;
                for (RouterPort p : ports) {
                    if (p.onLink(n.publicAddress.hi, n.publicAddress.lo)) {
                        on = p;
                    }
                }
                if (on != null) {
                    nats.add(n);
                    outside.add(on);
                }
            }
            natPublic = new int[nats.size()];
            natInside = new int[nats.size()];
            natOutside = outside.toArray(new RouterPort[0]);
            for (int i = 0; i < natPublic.length; i++) {
                natPublic[i] = (int) nats.get(i).publicAddress.lo;
                natInside[i] = (int) nats.get(i).inside.lo;
            }
            List<long[]> local = new ArrayList<>();
            for (RouterPort p : ports) {
                for (Prefix a : p.v4) {
                    local.add(new long[] {a.hi, a.lo});
                }
                for (Prefix a : p.v6) {
                    local.add(new long[] {a.hi, a.lo});
                }
                local.add(new long[] {p.linkLocalHi, p.linkLocalLo});
            }
            localHi = new long[local.size()];
            localLo = new long[local.size()];
            for (int i = 0; i < local.size(); i++) {
                localHi[i] = local.get(i)[0];
                localLo[i] = local.get(i)[1];
            }
        }

        boolean isLocal(long hi, long lo) {
            for (int i = 0; i < localHi.length; i++) {
                if (localLo[i] == lo && localHi[i] == hi) {
                    return true;
                }
            }
            return false;
        }

        /** The NAT mapping whose PUBLIC address this is, or -1. */
        int dnat(int dst) {
            for (int i = 0; i < natPublic.length; i++) {
                if (natPublic[i] == dst) {
                    return i;
                }
            }
            return -1;
        }

        /** The NAT mapping for a packet from INSIDE leaving through its outside port, or -1. */
        int snat(int src, RouterPort out) {
            for (int i = 0; i < natInside.length; i++) {
                if (natInside[i] == src && natOutside[i] == out) {
                    return i;
                }
            }
            return -1;
        }

        /** Whether the router answers ARP for this address on this port: a NAT's PUBLIC address, or one it masquerades behind. */
        boolean publicOn(RouterPort port, int address) {
            for (int i = 0; i < natPublic.length; i++) {
                if (natPublic[i] == address && natOutside[i] == port) {
                    return true;
                }
            }
            for (int i = 0; i < masqAddress.length; i++) {
                if (masqAddress[i] == address && masqOutside[i] == port) {
                    return true;
                }
            }
            return false;
        }

        boolean isMasqueradeAddress(int dst) {
            for (int a : masqAddress) {
                if (a == dst) {
                    return true;
                }
            }
            return false;
        }

        /** The masquerade for a packet from {@code src} leaving through {@code out}, or -1. */
        int masquerade(int src, RouterPort out) {
            long lo = Ip.v4Lo(src);
            for (int i = 0; i < masqInside.length; i++) {
                if (masqOutside[i] == out && masqInside[i].contains(0, lo)) {
                    return i;
                }
            }
            return -1;
        }

        boolean isDirectedBroadcast(long lo) {
            for (RouterPort p : ports) {
                for (Prefix a : p.v4) {
                    if (a.isDirectedBroadcast(0, lo)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    final String name;
    final LongSupplier clock;
    final RouterCounters counters = new RouterCounters();
    final IcmpRateLimit icmpLimit;
    final ConnTrack conns;
    volatile Resolver resolver;
    private volatile Config config;

    Router(RouterDefinition definition, LongSupplier nanoClock) {
        this.name = definition.name;
        this.clock = nanoClock;
        this.icmpLimit = new IcmpRateLimit(nanoClock, IcmpRateLimit.PER_SECOND, IcmpRateLimit.BURST);
        this.conns = new ConnTrack(nanoClock);
        this.config = new Config(definition, new RouterPort[0], RouteTable.EMPTY);
        apply(definition);
    }

    Config config() {
        return config;
    }

    RouterDefinition definition() {
        return config.definition;
    }

    /** The port on this overlay (or {@code uplink:INTERFACE}), or {@code null}. */
    RouterPort port(String overlay) {
        for (RouterPort p : config.ports) {
            if (p.overlay.equals(overlay)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Puts a definition in force: ports whose definition is unchanged are kept (attached, with
     * their neighbours); others are made anew, unattached, and the ones that went are detached.
     * Returns the ports that went, for the caller to detach.
     */
    synchronized List<RouterPort> apply(RouterDefinition d) {
        Config old = config;
        List<RouterPort> ports = new ArrayList<>();
        List<RouterPort> gone = new ArrayList<>(List.of(old.ports));
        for (RouterDefinition.PortDefinition pd : d.ports) {
            RouterPort keep = null;
            for (RouterPort p : old.ports) {
                if (p.definition.sameAs(pd)) {
                    keep = p;
                }
            }
            if (keep != null) {
                gone.remove(keep);
                ports.add(keep);
            } else {
                ports.add(new RouterPort(this, pd));
            }
        }
        RouterPort[] array = ports.toArray(new RouterPort[0]);
        config = new Config(d, array, buildTable(d, array));
        return gone;
    }

    /** Connected routes for every port's subnets, and the static routes whose next hop is on one of them. */
    static RouteTable buildTable(RouterDefinition d, RouterPort[] ports) {
        List<Route> connected = new ArrayList<>();
        for (RouterPort p : ports) {
            for (Prefix a : p.definition.addresses) {
                connected.add(new Route(a, Route.Kind.CONNECTED, null, p));
            }
        }
        RouteTable onLink = new RouteTable(connected);
        List<Route> all = new ArrayList<>(connected);
        RouterPort uplink = null;
        for (RouterPort p : ports) {
            if (p.definition.isUplink()) {
                uplink = p;
            }
        }
        for (RouterDefinition.RouteSpec s : d.routes) {
            if (s.isBlackhole()) {
                all.add(new Route(s.prefix, Route.Kind.BLACKHOLE, null, null));
            } else if (s.uplink) {
                Prefix gateway = uplink == null ? null : uplink.definition.gateway;
                if (gateway != null && gateway.isV4() == s.prefix.isV4()) {
                    all.add(new Route(s.prefix, Route.Kind.UPLINK, gateway, uplink));
                }
            } else {
                Route c = onLink.lookup(s.via.hi, s.via.lo);
                if (c != null) {
                    all.add(new Route(s.prefix, Route.Kind.STATIC, s.via, c.port));
                }
            }
        }
        return new RouteTable(all);
    }

    // ================================================================ input

    void input(RouterPort in, ByteBuffer b, int off, int len) {
        if (len < ETH) {
            counters.increment(RouterCounters.I_MALFORMED_IP);
            return;
        }
        int type = u16(b, off + 12);
        if (type == Packets.ETHERTYPE_IPV4) {
            ipv4(in, b, off, len);
        } else if (type == Packets.ETHERTYPE_IPV6) {
            ipv6(in, b, off, len, false);
        } else if (type == Packets.ETHERTYPE_ARP) {
            arp(in, b, off, len);
        } else {
            counters.increment(RouterCounters.I_UNKNOWN_ETHERTYPE);
        }
    }

    /** A broadcast or multicast frame: ARP, neighbour discovery and router solicitations are for the router; nothing else is routed. */
    boolean inputGroup(RouterPort in, ByteBuffer b, int off, int len) {
        if (len < ETH) {
            return false;
        }
        int type = u16(b, off + 12);
        if (type == Packets.ETHERTYPE_ARP) {
            return arp(in, b, off, len);
        }
        if (type == Packets.ETHERTYPE_IPV6) {
            return ipv6(in, b, off, len, true);
        }
        if (type == Packets.ETHERTYPE_IPV4 && len >= ETH + 20) {
            int dst = b.getInt(off + ETH + 16);
            if (!Martians.v4Group(dst) && !config.isDirectedBroadcast(Ip.v4Lo(dst))) {
                counters.increment(RouterCounters.I_NOT_ROUTED_GROUP); // unicast IP in an Ethernet broadcast
            }
        }
        return false;
    }

    // ================================================================ ARP

    /** Returns whether the frame was for this port alone (a request for one of its addresses). */
    private boolean arp(RouterPort in, ByteBuffer b, int off, int len) {
        if (len < ETH + 28) {
            counters.increment(RouterCounters.I_MALFORMED_IP);
            return false;
        }
        int a = off + ETH;
        if (u16(b, a) != 1 || u16(b, a + 2) != Packets.ETHERTYPE_IPV4 || u8(b, a + 4) != 6 || u8(b, a + 5) != 4) {
            return false;
        }
        int op = u16(b, a + 6);
        long sha = MacAddress.read(b, a + 8);
        int spa = b.getInt(a + 14);
        int tpa = b.getInt(a + 24);
        long spaLo = Ip.v4Lo(spa);
        boolean senderOnLink = spa != 0 && in.onLink(0, spaLo) && !MacAddress.isGroup(sha);
        if (op == 1 && (in.owns(0, Ip.v4Lo(tpa)) || config.publicOn(in, tpa))) {
            if (spa == 0) {
                return false; // a probe (RFC 5227): only the owner's conflict detection, not ours to answer
            }
            if (!senderOnLink) {
                counters.increment(RouterCounters.I_ARP_FOREIGN_SENDER);
                return true;
            }
            PortLink port = in.link;
            ByteBuffer s = Scratch.enter();
            if (port != null && s != null) {
                try {
                    int n = Packets.arp(s, Scratch.OFFSET, 2, sha, in.mac, tpa, sha, spa);
                    port.sendInPlace(s, Scratch.OFFSET, n);
                    counters.increment(RouterCounters.I_ARP_ANSWERED);
                } finally {
                    Scratch.leave();
                }
            } else if (s != null) {
                Scratch.leave();
            }
            in.neighbours.heardFrom(0, spaLo, sha, "arp");
            return true;
        }
        if (senderOnLink && (op == 2 || spa == tpa)) { // a reply, or a gratuitous announcement
            if (op == 2) {
                in.neighbours.confirm(0, spaLo, sha, "arp");
            } else if (in.neighbours.get(0, spaLo) != null) {
                in.neighbours.heardFrom(0, spaLo, sha, "arp");
            }
        }
        return false;
    }

    // ================================================================ IPv4

    private void ipv4(RouterPort in, ByteBuffer b, int off, int len) {
        int l3 = off + ETH;
        int avail = len - ETH;
        if (avail < 20) {
            counters.increment(RouterCounters.I_MALFORMED_IP);
            return;
        }
        int vihl = u8(b, l3);
        int ihl = (vihl & 0x0F) * 4;
        int total = u16(b, l3 + 2);
        if ((vihl >>> 4) != 4 || ihl < 20 || total < ihl || total > avail || Checksum.of(b, l3, ihl) != 0) {
            counters.increment(RouterCounters.I_MALFORMED_IP);
            return;
        }
        int src = b.getInt(l3 + 12);
        int dst = b.getInt(l3 + 16);
        if (Martians.v4Source(src)) {
            counters.increment(RouterCounters.I_MARTIAN_SOURCE);
            return;
        }
        Config c = config;
        int dnat = c.dnat(dst);
        if (dnat >= 0) {
            dst = c.natInside[dnat]; // routed to the inside address; the header is rewritten in the copy
        }
        int proto = u8(b, l3 + 9);
        boolean whole = (u16(b, l3 + 6) & 0x3FFF) == 0;
        int l4 = l3 + ihl;
        int unmasqPort = -1;
        // an ICMP error about a translated packet: what its quoted source becomes (address, and port or -1); 0: none
        int quotedAddress = 0;
        int quotedPort = -1;
        if (dnat < 0 && whole && c.isMasqueradeAddress(dst)) { // a reply to a masqueraded connection?
            int port = ports(b, l4, proto, total - ihl, 0, true);
            if (port >= 0) {
                int e = conns.inbound(proto, port, src, ports(b, l4, proto, total - ihl, 1, true), tcpFlags(b, l4, proto));
                if (e >= 0) {
                    dst = conns.insideIp(e);
                    unmasqPort = conns.insidePort(e);
                }
            } else if (isIcmpError(b, l4, proto, total - ihl)) { // or an error about one (frag needed, time exceeded)
                int q = l4 + 8;
                int ql4 = q + (u8(b, q) & 0x0F) * 4;
                int qproto = u8(b, q + 9);
                // the quoted packet left from (masquerade address, outside port): TCP/UDP ports, or an echo request's identifier
                int qport = qproto == Packets.PROTO_ICMP ? (u8(b, ql4) == 8 ? u16(b, ql4 + 4) : -1) : u16(b, ql4);
                int e = qport < 0 || b.getInt(q + 12) != dst ? -1
                        : conns.quoted(qproto, qport, b.getInt(q + 16), qproto == Packets.PROTO_ICMP ? 0 : u16(b, ql4 + 2));
                if (e >= 0) {
                    dst = conns.insideIp(e);
                    quotedAddress = dst;
                    quotedPort = conns.insidePort(e);
                }
            }
        } else if (dnat >= 0 && whole && isIcmpError(b, l4, proto, total - ihl) && b.getInt(l4 + 8 + 12) == c.natPublic[dnat]) {
            quotedAddress = dst; // an error about what the inside address sent as PUBLIC
        }
        long dstLo = Ip.v4Lo(dst);
        if (dnat < 0 && unmasqPort < 0 && quotedAddress == 0 && c.isLocal(0, dstLo)) {
            local4(in, b, off, l3, ihl, total);
            return;
        }
        if (Martians.v4Group(dst) || c.isDirectedBroadcast(dstLo)) {
            counters.increment(RouterCounters.I_NOT_ROUTED_GROUP);
            return;
        }
        if (Martians.v4Destination(dst)) {
            counters.increment(RouterCounters.I_MARTIAN_DESTINATION);
            return;
        }
        Route r = c.table.lookup(0, dstLo);
        if (r == null) {
            counters.increment(RouterCounters.I_NO_ROUTE);
            icmp4(in, b, off, l3, total, 3, 0, 0, RouterCounters.I_ICMP_NET_UNREACHABLE);
            return;
        }
        if (r.kind == Route.Kind.BLACKHOLE) {
            counters.increment(RouterCounters.I_BLACKHOLE);
            return;
        }
        int ttl = u8(b, l3 + 8);
        if (ttl <= 1) {
            counters.increment(RouterCounters.I_TTL_EXCEEDED);
            icmp4(in, b, off, l3, total, 11, 0, 0, RouterCounters.I_ICMP_TIME_EXCEEDED);
            return;
        }
        RouterPort out = r.port;
        PortLink egress = out.link;
        if (egress == null) {
            counters.increment(RouterCounters.I_EGRESS_DETACHED);
            icmp4(in, b, off, l3, total, 3, 0, 0, RouterCounters.I_ICMP_NET_UNREACHABLE);
            return;
        }
        int mtu = egress.mtu();
        long nhHi = r.via != null ? r.via.hi : 0;
        long nhLo = r.via != null ? r.via.lo : dstLo;
        int snat = c.snat(src, out);
        int masq = dnat < 0 && snat < 0 && unmasqPort < 0 && quotedAddress == 0 ? c.masquerade(src, out) : -1;
        int masqPort = -1;
        if (masq >= 0) {
            int port = whole ? ports(b, l4, proto, total - ihl, 1, false) : -1;
            if (port < 0) {
                counters.increment(RouterCounters.I_NAT_UNTRANSLATABLE); // a fragment, or no TCP, UDP or echo request
                return;
            }
            masqPort = conns.outbound(proto, src, port, dst, ports(b, l4, proto, total - ihl, 0, false), tcpFlags(b, l4, proto));
            if (masqPort < 0) {
                counters.increment(RouterCounters.I_NAT_TABLE_FULL);
                return;
            }
        }
        if (total > mtu) {
            if ((u16(b, l3 + 6) & 0x4000) != 0) {
                counters.increment(RouterCounters.I_TOO_BIG);
                icmp4(in, b, off, l3, total, 3, 4, mtu & 0xFFFF, RouterCounters.I_ICMP_FRAG_NEEDED);
            } else if (dnat >= 0 || snat >= 0 || masq >= 0 || unmasqPort >= 0 || quotedAddress != 0) {
                counters.increment(RouterCounters.I_TOO_BIG); // translated packets are not fragmented
            } else {
                fragment(in, out, egress, nhHi, nhLo, b, off, l3, total, ttl, mtu);
            }
            return;
        }
        ByteBuffer s = Scratch.enter();
        if (s == null) {
            return;
        }
        try {
            int o = Scratch.OFFSET;
            int length = ETH + total; // Ethernet padding stays behind
            s.put(o, b, off, length);
            MacAddress.write(s, o + 6, out.mac);
            int l3o = o + ETH;
            int oldWord = u16(s, l3o + 8);
            s.put(l3o + 8, (byte) (ttl - 1));
            s.putShort(l3o + 10, (short) Checksum.update(u16(s, l3o + 10), oldWord, oldWord - 0x100));
            if (dnat >= 0) {
                Nat.rewrite(s, l3o, ihl, total, 16, dst);
            }
            if (snat >= 0) {
                Nat.rewrite(s, l3o, ihl, total, 12, c.natPublic[snat]);
            }
            if (unmasqPort >= 0) {
                Nat.rewrite(s, l3o, ihl, total, 16, dst);
                Nat.rewritePort(s, l3o, ihl, 2, unmasqPort);
            }
            if (masq >= 0) {
                Nat.rewrite(s, l3o, ihl, total, 12, c.masqAddress[masq]);
                Nat.rewritePort(s, l3o, ihl, 0, masqPort);
            }
            if (quotedAddress != 0) {
                if (dnat < 0) {
                    Nat.rewrite(s, l3o, ihl, total, 16, dst);
                }
                Nat.rewriteQuoted(s, l3o + ihl, total - ihl, quotedAddress, quotedPort);
            }
            if (dnat >= 0 || snat >= 0 || masq >= 0 || unmasqPort >= 0 || quotedAddress != 0) {
                counters.increment(RouterCounters.I_NAT_TRANSLATED);
            }
            toNextHop(in, out, egress, nhHi, nhLo, s, o, length, MacAddress.read(b, off + 6));
        } finally {
            Scratch.leave();
        }
    }

    /**
     * Cuts an IPv4 packet without DF into fragments that fit the egress MTU (RFC 791, RFC 1812
     * 4.2.2.7), each with its own header: offsets in 8-byte units, MF on all but the last (and on
     * the last when the packet was itself a fragment with MF), TTL decremented, checksum computed.
     * A header with options is not cut (their copy rules are not implemented): dropped and counted.
     */
    private void fragment(RouterPort in, RouterPort out, PortLink egress, long nhHi, long nhLo, ByteBuffer b, int off, int l3,
            int total, int ttl, int mtu) {
        int ihl = (u8(b, l3) & 0x0F) * 4;
        int chunk = (mtu - ihl) & ~7;
        if (ihl != 20 || chunk < 8) {
            counters.increment(RouterCounters.I_TOO_BIG);
            return;
        }
        int flags = u16(b, l3 + 6);
        int firstOffset = flags & 0x1FFF;
        boolean moreAfter = (flags & 0x2000) != 0;
        int payload = total - ihl;
        long previousHop = MacAddress.read(b, off + 6);
        ByteBuffer s = Scratch.enter();
        if (s == null) {
            return;
        }
        try {
            int o = Scratch.OFFSET;
            int l3o = o + ETH;
            for (int done = 0; done < payload; done += chunk) {
                int n = Math.min(chunk, payload - done);
                boolean more = done + n < payload || moreAfter;
                s.put(o, b, off, ETH + ihl);
                s.put(l3o + ihl, b, l3 + ihl + done, n);
                MacAddress.write(s, o + 6, out.mac);
                s.putShort(l3o + 2, (short) (ihl + n));
                s.putShort(l3o + 6, (short) ((more ? 0x2000 : 0) | (firstOffset + done / 8)));
                s.put(l3o + 8, (byte) (ttl - 1));
                s.putShort(l3o + 10, (short) 0);
                s.putShort(l3o + 10, (short) Checksum.of(s, l3o, ihl));
                toNextHop(in, out, egress, nhHi, nhLo, s, o, ETH + ihl + n, previousHop);
            }
            counters.increment(RouterCounters.I_FRAGMENTED);
        } finally {
            Scratch.leave();
        }
    }

    /**
     * A port of a TCP or UDP header (which 0: the destination, 1: the source), or an ICMP echo's
     * identifier (replies inbound, requests outbound; the source "port" of ICMP is 0); -1 when the
     * packet has none of these.
     */
    private static int ports(ByteBuffer b, int l4, int proto, int length, int which, boolean inbound) {
        if (proto == Packets.PROTO_TCP && length >= 20 || proto == Packets.PROTO_UDP && length >= 8) {
            return u16(b, l4 + (which == 0 ? 2 : 0));
        }
        if (proto == Packets.PROTO_ICMP && length >= 8 && u8(b, l4) == (inbound ? 0 : 8)) {
            return (which == 0) == inbound ? u16(b, l4 + 4) : 0;
        }
        return -1;
    }

    /**
     * Whether this is an ICMP error (destination unreachable, time exceeded, parameter problem)
     * that quotes an IPv4 header and the 8 bytes after it, with a good checksum.
     */
    private static boolean isIcmpError(ByteBuffer b, int l4, int proto, int length) {
        if (proto != Packets.PROTO_ICMP || length < 8 + 20 + 8) {
            return false;
        }
        int type = u8(b, l4);
        if (type != 3 && type != 11 && type != 12) {
            return false;
        }
        int q = l4 + 8;
        int qihl = (u8(b, q) & 0x0F) * 4;
        return (u8(b, q) >>> 4) == 4 && qihl >= 20 && length >= 8 + qihl + 8 && Checksum.of(b, l4, length) == 0;
    }

    private static int tcpFlags(ByteBuffer b, int l4, int proto) {
        return proto == Packets.PROTO_TCP ? u8(b, l4 + 13) : 0;
    }

    private void local4(RouterPort in, ByteBuffer b, int off, int l3, int ihl, int total) {
        int proto = u8(b, l3 + 9);
        boolean fragment = (u16(b, l3 + 6) & 0x3FFF) != 0;
        if (proto == Packets.PROTO_ICMP && !fragment && total - ihl >= 8 && u8(b, l3 + ihl) == 8
                && Checksum.of(b, l3 + ihl, total - ihl) == 0) {
            PortLink port = in.link;
            ByteBuffer s = Scratch.enter();
            if (s == null) {
                return;
            }
            try {
                if (port != null) {
                    int n = Packets.echoReply4(s, Scratch.OFFSET, MacAddress.read(b, off + 6), in.mac, b, l3, total);
                    port.sendInPlace(s, Scratch.OFFSET, n);
                    counters.increment(RouterCounters.I_ECHO_ANSWERED);
                }
            } finally {
                Scratch.leave();
            }
            return;
        }
        counters.increment(RouterCounters.I_TO_ROUTER);
        if (!fragment && proto != Packets.PROTO_ICMP) {
            int code = proto == Packets.PROTO_UDP || proto == Packets.PROTO_TCP ? 3 : 2; // port, protocol unreachable
            icmp4(in, b, off, l3, total, 3, code, 0, RouterCounters.I_ICMP_PORT_UNREACHABLE);
        }
    }

    /**
     * Sends an ICMPv4 error about the packet at {@code l3} to its sender, from the ingress port's
     * address, unless RFC 1812 4.3.2.7 forbids it (about an ICMP error, a non-first fragment, a
     * multicast or broadcast destination, an invalid source) or the rate limit says no.
     */
    private void icmp4(RouterPort in, ByteBuffer b, int off, int l3, int total, int type, int code, int rest, int counter) {
        int dst = b.getInt(l3 + 16);
        int src = b.getInt(l3 + 12);
        if ((u16(b, l3 + 6) & 0x1FFF) != 0 || Martians.v4Group(dst) || Martians.v4Source(src)
                || MacAddress.isGroup(MacAddress.read(b, off))) {
            return;
        }
        int ihl = (u8(b, l3) & 0x0F) * 4;
        if (u8(b, l3 + 9) == Packets.PROTO_ICMP && total >= ihl + 1) {
            int t = u8(b, l3 + ihl);
            if (t != 0 && t != 8 && t != 13 && t != 14) { // only queries may get errors
                return;
            }
        }
        int from = in.v4From(Ip.v4Lo(src));
        PortLink port = in.link;
        if (from == 0 || port == null) {
            return;
        }
        if (!icmpLimit.allow()) {
            counters.increment(RouterCounters.I_ICMP_RATE_LIMITED);
            return;
        }
        ByteBuffer s = Scratch.enter();
        if (s == null) {
            return;
        }
        try {
            int n = Packets.icmp4Error(s, Scratch.OFFSET, MacAddress.read(b, off + 6), in.mac, from, src, type, code, rest, b, l3,
                    total);
            port.sendInPlace(s, Scratch.OFFSET, n);
            counters.increment(counter);
        } finally {
            Scratch.leave();
        }
    }

    // ================================================================ IPv6

    private boolean ipv6(RouterPort in, ByteBuffer b, int off, int len, boolean group) {
        int l3 = off + ETH;
        int avail = len - ETH;
        if (avail < 40 || (u8(b, l3) >>> 4) != 6 || 40 + u16(b, l3 + 4) > avail) {
            if (!group) {
                counters.increment(RouterCounters.I_MALFORMED_IP);
            }
            return false;
        }
        int payload = u16(b, l3 + 4);
        int total = 40 + payload;
        int next = u8(b, l3 + 6);
        long srcHi = b.getLong(l3 + 8);
        long srcLo = b.getLong(l3 + 16);
        long dstHi = b.getLong(l3 + 24);
        long dstLo = b.getLong(l3 + 32);
        Config c = config;
        if (next == Packets.PROTO_ICMPV6 && payload >= 8) {
            int type = u8(b, l3 + 40);
            if (type >= 133 && type <= 136) {
                return neighbourDiscovery(in, b, off, l3, total, type, srcHi, srcLo);
            }
        }
        if (group || Martians.v6Multicast(dstHi)) {
            if (!Martians.v6Multicast(dstHi)) {
                counters.increment(RouterCounters.I_NOT_ROUTED_GROUP);
            }
            return false;
        }
        if (srcHi == 0 && srcLo == 0 || Martians.v6Multicast(srcHi) || srcHi == 0 && srcLo == 1) {
            counters.increment(RouterCounters.I_MARTIAN_SOURCE);
            return false;
        }
        if (c.isLocal(dstHi, dstLo)) {
            local6(in, b, off, l3, total, next);
            return false;
        }
        if (Martians.v6Source(srcHi, srcLo)) {
            counters.increment(RouterCounters.I_MARTIAN_SOURCE);
            return false;
        }
        if (Martians.v6Destination(dstHi, dstLo)) {
            counters.increment(RouterCounters.I_MARTIAN_DESTINATION);
            return false;
        }
        Route r = c.table.lookup(dstHi, dstLo);
        if (r == null) {
            counters.increment(RouterCounters.I_NO_ROUTE);
            icmp6(in, b, off, l3, total, 1, 0, 0, RouterCounters.I_ICMP_NET_UNREACHABLE);
            return false;
        }
        if (r.kind == Route.Kind.BLACKHOLE) {
            counters.increment(RouterCounters.I_BLACKHOLE);
            return false;
        }
        int hopLimit = u8(b, l3 + 7);
        if (hopLimit <= 1) {
            counters.increment(RouterCounters.I_TTL_EXCEEDED);
            icmp6(in, b, off, l3, total, 3, 0, 0, RouterCounters.I_ICMP_TIME_EXCEEDED);
            return false;
        }
        RouterPort out = r.port;
        PortLink egress = out.link;
        if (egress == null) {
            counters.increment(RouterCounters.I_EGRESS_DETACHED);
            icmp6(in, b, off, l3, total, 1, 0, 0, RouterCounters.I_ICMP_NET_UNREACHABLE);
            return false;
        }
        int mtu = egress.mtu();
        if (total > mtu) {
            counters.increment(RouterCounters.I_TOO_BIG);
            icmp6(in, b, off, l3, total, 2, 0, mtu, RouterCounters.I_ICMP_FRAG_NEEDED);
            return false;
        }
        long nhHi = r.via != null ? r.via.hi : dstHi;
        long nhLo = r.via != null ? r.via.lo : dstLo;
        ByteBuffer s = Scratch.enter();
        if (s == null) {
            return false;
        }
        try {
            int o = Scratch.OFFSET;
            int length = ETH + total;
            s.put(o, b, off, length);
            MacAddress.write(s, o + 6, out.mac);
            s.put(o + ETH + 7, (byte) (hopLimit - 1));
            toNextHop(in, out, egress, nhHi, nhLo, s, o, length, MacAddress.read(b, off + 6));
        } finally {
            Scratch.leave();
        }
        return false;
    }

    private void local6(RouterPort in, ByteBuffer b, int off, int l3, int total, int next) {
        if (next == Packets.PROTO_ICMPV6 && total >= 48 && u8(b, l3 + 40) == 128 && icmp6Valid(b, l3, total)) {
            PortLink port = in.link;
            ByteBuffer s = Scratch.enter();
            if (s == null) {
                return;
            }
            try {
                if (port != null) {
                    int n = Packets.echoReply6(s, Scratch.OFFSET, MacAddress.read(b, off + 6), in.mac, b, l3);
                    port.sendInPlace(s, Scratch.OFFSET, n);
                    counters.increment(RouterCounters.I_ECHO_ANSWERED);
                }
            } finally {
                Scratch.leave();
            }
            return;
        }
        counters.increment(RouterCounters.I_TO_ROUTER);
        if (next == Packets.PROTO_UDP || next == Packets.PROTO_TCP) {
            icmp6(in, b, off, l3, total, 1, 4, 0, RouterCounters.I_ICMP_PORT_UNREACHABLE);
        }
    }

    private static boolean icmp6Valid(ByteBuffer b, int l3, int total) {
        long sum = Checksum.pseudoV6(b, l3 + 8, l3 + 24, total - 40, Packets.PROTO_ICMPV6);
        return Checksum.finish(Checksum.sum(b, l3 + 40, total - 40, sum)) == 0;
    }

    /** Solicitations and advertisements (RFC 4861): hop limit 255 and a valid checksum, or ignored. Returns whether answered. */
    private boolean neighbourDiscovery(RouterPort in, ByteBuffer b, int off, int l3, int total, int type, long srcHi,
            long srcLo) {
        if (u8(b, l3 + 7) != 255 || u8(b, l3 + 41) != 0 || !icmp6Valid(b, l3, total)) {
            return false;
        }
        int ic = l3 + 40;
        long ethSrc = MacAddress.read(b, off + 6);
        boolean unspecified = srcHi == 0 && srcLo == 0;
        if (type == 133) { // router solicitation
            if (in.v6.length == 0 || in.link == null) {
                return false;
            }
            if (!unspecified && !in.onLink(srcHi, srcLo)) {
                counters.increment(RouterCounters.I_ARP_FOREIGN_SENDER);
                return true;
            }
            ByteBuffer s = Scratch.enter();
            if (s == null) {
                return true;
            }
            try {
                int n = Packets.routerAdvertisement(s, Scratch.OFFSET, unspecified ? Packets.ALL_NODES_MAC : ethSrc, in.mac,
                        in.linkLocalHi, in.linkLocalLo, unspecified ? Packets.ALL_NODES_HI : srcHi,
                        unspecified ? Packets.ALL_NODES_LO : srcLo, in.mtu(), in.v6);
                PortLink port = in.link;
                if (port != null) {
                    port.sendInPlace(s, Scratch.OFFSET, n);
                    counters.increment(RouterCounters.I_RA_SENT);
                }
            } finally {
                Scratch.leave();
            }
            return true;
        }
        if (total < 40 + 24) {
            return false;
        }
        long targetHi = b.getLong(ic + 8);
        long targetLo = b.getLong(ic + 16);
        long linkLayer = option(b, ic + 24, l3 + total, type == 135 ? 1 : 2);
        if (type == 136) { // advertisement
            if (in.onLink(targetHi, targetLo)) {
                in.neighbours.confirm(targetHi, targetLo, linkLayer != 0 ? linkLayer : ethSrc, "ndp");
            }
            return false;
        }
        if (type != 135 || !in.owns(targetHi, targetLo)) {
            return false;
        }
        if (unspecified) {
            return false; // duplicate address detection: the owner's business
        }
        if (!in.onLink(srcHi, srcLo)) {
            counters.increment(RouterCounters.I_ARP_FOREIGN_SENDER);
            return true;
        }
        PortLink port = in.link;
        ByteBuffer s = Scratch.enter();
        if (s == null) {
            return true;
        }
        try {
            if (port != null) {
                int n = Packets.neighbourAdvertisement(s, Scratch.OFFSET, linkLayer != 0 ? linkLayer : ethSrc, in.mac, targetHi,
                        targetLo, srcHi, srcLo);
                port.sendInPlace(s, Scratch.OFFSET, n);
                counters.increment(RouterCounters.I_NDP_ANSWERED);
            }
        } finally {
            Scratch.leave();
        }
        if (linkLayer != 0) {
            in.neighbours.heardFrom(srcHi, srcLo, linkLayer, "ndp");
        }
        return true;
    }

    /** The MAC of the first link-layer address option of {@code kind} (1 source, 2 target) in [p, end), or 0. */
    private static long option(ByteBuffer b, int p, int end, int kind) {
        while (p + 8 <= end) {
            int t = u8(b, p);
            int l = u8(b, p + 1) * 8;
            if (l == 0) {
                return 0;
            }
            if (t == kind && l >= 8) {
                return MacAddress.read(b, p + 2);
            }
            p += l;
        }
        return 0;
    }

    /**
     * Sends an ICMPv6 error about the packet at {@code l3}, unless RFC 4443 2.4 (e) forbids it
     * (about an ICMPv6 error or a redirect, to a multicast destination, from an unspecified or
     * multicast source, a non-first fragment) or the rate limit says no.
     */
    private void icmp6(RouterPort in, ByteBuffer b, int off, int l3, int total, int type, int code, int rest, int counter) {
        long srcHi = b.getLong(l3 + 8);
        long srcLo = b.getLong(l3 + 16);
        long dstHi = b.getLong(l3 + 24);
        int next = u8(b, l3 + 6);
        if (Martians.v6Multicast(dstHi) || Martians.v6Multicast(srcHi) || (srcHi == 0 && (srcLo == 0 || srcLo == 1))
                || MacAddress.isGroup(MacAddress.read(b, off))) {
            return;
        }
        if (next == Packets.PROTO_ICMPV6 && total > 40 && (u8(b, l3 + 40) < 128 || u8(b, l3 + 40) == 137)) {
            return;
        }
        if (next == Packets.PROTO_FRAGMENT && total >= 48 && (u16(b, l3 + 42) & 0xFFF8) != 0) {
            return;
        }
        Prefix from = in.v6From(srcHi, srcLo);
        long fromHi = from == null ? in.linkLocalHi : from.hi;
        long fromLo = from == null ? in.linkLocalLo : from.lo;
        PortLink port = in.link;
        if (port == null) {
            return;
        }
        if (!icmpLimit.allow()) {
            counters.increment(RouterCounters.I_ICMP_RATE_LIMITED);
            return;
        }
        ByteBuffer s = Scratch.enter();
        if (s == null) {
            return;
        }
        try {
            int n = Packets.icmp6Error(s, Scratch.OFFSET, MacAddress.read(b, off + 6), in.mac, fromHi, fromLo, srcHi, srcLo, type,
                    code, rest, b, l3, total);
            port.sendInPlace(s, Scratch.OFFSET, n);
            counters.increment(counter);
        } finally {
            Scratch.leave();
        }
    }

    // ================================================================ next hop

    /** The rewritten frame at [o, o+length) of {@code s} leaves through {@code out} once the next hop's MAC is known. */
    private void toNextHop(RouterPort in, RouterPort out, PortLink egress, long nhHi, long nhLo, ByteBuffer s, int o,
            int length, long previousHop) {
        Neighbour n = out.neighbours.get(nhHi, nhLo);
        if (n != null && n.usable()) {
            if (n.state == Neighbour.State.STALE && !n.usedWhileStale) {
                n.usedWhileStale = true;
            }
            MacAddress.write(s, o, n.mac);
            egress.sendInPlace(s, o, length);
            counters.increment(RouterCounters.I_ROUTED);
            return;
        }
        byte[] copy = new byte[length]; // the slow path: a packet waits for its next hop
        s.get(o, copy);
        switch (out.neighbours.hold(nhHi, nhLo, new Neighbour.Held(copy, in, previousHop))) {
            case HELD:
                counters.increment(RouterCounters.I_HELD);
                break;
            case FULL:
                counters.increment(RouterCounters.I_HOLD_FULL);
                break;
            default:
                counters.increment(RouterCounters.I_NEIGHBOUR_TABLE_FULL);
                break;
        }
    }

    /** A held packet whose next hop never answered: host (IPv4) or address (IPv6) unreachable to its sender. */
    void hostUnreachable(Neighbour.Held h) {
        ByteBuffer f = ByteBuffer.wrap(h.frame);
        int l3 = ETH;
        // the error goes back the way the packet came: to the previous hop, from the ingress port
        MacAddress.write(f, 0, h.ingress.mac);
        MacAddress.write(f, 6, h.previousHop);
        if (u16(f, 12) == Packets.ETHERTYPE_IPV4) {
            icmp4(h.ingress, f, 0, l3, u16(f, l3 + 2), 3, 1, 0, RouterCounters.I_ICMP_HOST_UNREACHABLE);
        } else {
            icmp6(h.ingress, f, 0, l3, 40 + u16(f, l3 + 4), 1, 3, 0, RouterCounters.I_ICMP_HOST_UNREACHABLE);
        }
    }

    /** Ages neighbours and gives up on those that never answered: the router's timer calls this. */
    void tick() {
        for (RouterPort p : config.ports) {
            p.neighbours.tick();
        }
        conns.expire();
    }
}
