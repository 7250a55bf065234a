package org.overlaygate.varpd.dhcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.overlaygate.api.MacAddress;

/**
 * Builds the server's reply frames: OFFER, ACK and NAK as Ethernet/IPv4/UDP frames addressed as RFC
 * 2131 4.1 says (a NAK broadcast; to {@code ciaddr} when the client has one; broadcast when the
 * client asks for it with the broadcast flag; otherwise unicast to {@code yiaddr} at the client's
 * hardware address), and the ARP reply for the server's own address.
 */
final class DhcpReply {
    static final int BROADCAST_IP = 0xFFFFFFFF;

    private DhcpReply() {
    }

    /** What the reply says; the scope's options come from {@link Scope}. */
    static final class Answer {
        final int type;
        final int yiaddr;
        /** Seconds, or -1 for none (INFORM, NAK). */
        final long leaseSeconds;
        final String message;

        Answer(int type, int yiaddr, long leaseSeconds, String message) {
            this.type = type;
            this.yiaddr = yiaddr;
            this.leaseSeconds = leaseSeconds;
            this.message = message;
        }

        static Answer nak(String why) {
            return new Answer(DhcpMessage.NAK, 0, -1, why);
        }
    }

    /**
     * The reply frame to {@code request}.
     *
     * @param router the gateway to announce (option 3, and the default route of option 121), or 0
     * @param mtu option 26
     */
    static byte[] frame(DhcpMessage request, Answer a, Scope scope, long serverMac, int router, int mtu) {
        ByteBuffer o = ByteBuffer.allocate(312);
        o.put((byte) 53).put((byte) 1).put((byte) a.type);
        o.put((byte) 54).put((byte) 4).putInt(scope.server);
        if (a.type == DhcpMessage.NAK) {
            if (a.message != null) {
                byte[] m = ascii(a.message, 255);
                o.put((byte) 56).put((byte) m.length).put(m);
            }
        } else {
            if (a.leaseSeconds >= 0) {
                o.put((byte) 51).put((byte) 4).putInt((int) Math.min(a.leaseSeconds, 0xFFFFFFFEL));
            }
            o.put((byte) 1).put((byte) 4).putInt(scope.netmask());
            if (router != 0) {
                o.put((byte) 3).put((byte) 4).putInt(router);
            }
            if (!scope.dns.isEmpty()) {
                int n = Math.min(scope.dns.size(), 63);
                o.put((byte) 6).put((byte) (4 * n));
                for (int i = 0; i < n; i++) {
                    o.putInt(scope.dns.get(i));
                }
            }
            if (scope.domain != null) {
                byte[] d = ascii(scope.domain, 255);
                o.put((byte) 15).put((byte) d.length).put(d);
            }
            o.put((byte) 26).put((byte) 2).putShort((short) mtu);
            byte[] routes = classlessRoutes(scope.routes, router);
            if (routes.length > 0 && routes.length <= 255) {
                o.put((byte) 121).put((byte) routes.length).put(routes);
            }
        }
        o.put((byte) 255);
        int optionsLength = o.position();

        int bootp = DhcpMessage.BOOTP_FIXED + 4 + optionsLength;
        if (bootp < 300) {
            bootp = 300; // BOOTP's minimum, which some clients still expect
        }
        int udpLength = 8 + bootp;
        int ipLength = 20 + udpLength;
        byte[] f = new byte[14 + ipLength];
        ByteBuffer b = ByteBuffer.wrap(f);

        int dstIp;
        long dstMac;
        if (a.type == DhcpMessage.NAK) {
            dstIp = BROADCAST_IP;
            dstMac = MacAddress.BROADCAST;
        } else if (request.ciaddr != 0) {
            dstIp = request.ciaddr;
            dstMac = request.chaddr;
        } else if (request.broadcastFlag()) {
            dstIp = BROADCAST_IP;
            dstMac = MacAddress.BROADCAST;
        } else {
            dstIp = a.yiaddr;
            dstMac = request.chaddr;
        }
        putMac(b, 0, dstMac);
        putMac(b, 6, serverMac);
        b.putShort(12, (short) 0x0800);
        int ip = 14;
        b.put(ip, (byte) 0x45);
        b.put(ip + 1, (byte) 0xC0); // network control, as dnsmasq and ISC send
        b.putShort(ip + 2, (short) ipLength);
        b.put(ip + 8, (byte) 64);
        b.put(ip + 9, (byte) 17);
        b.putInt(ip + 12, scope.server);
        b.putInt(ip + 16, dstIp);
        b.putShort(ip + 10, (short) Checksums.fold(Checksums.sum(f, ip, 20, 0)));
        int udp = ip + 20;
        b.putShort(udp, (short) DhcpMessage.SERVER_PORT);
        b.putShort(udp + 2, (short) DhcpMessage.CLIENT_PORT);
        b.putShort(udp + 4, (short) udpLength);
        int d = udp + 8;
        b.put(d, (byte) 2);
        b.put(d + 1, (byte) 1);
        b.put(d + 2, (byte) 6);
        b.putInt(d + 4, request.xid);
        b.putShort(d + 10, (short) request.flags);
        if (a.type != DhcpMessage.NAK) {
            b.putInt(d + 12, request.type == DhcpMessage.INFORM || request.type == DhcpMessage.REQUEST ? request.ciaddr : 0);
            b.putInt(d + 16, a.yiaddr);
        }
        b.putInt(d + 24, request.giaddr);
        putMac(b, d + 28, request.chaddr);
        b.putInt(d + DhcpMessage.BOOTP_FIXED, DhcpMessage.MAGIC);
        System.arraycopy(o.array(), 0, f, d + DhcpMessage.BOOTP_FIXED + 4, optionsLength);
        long pseudo = Checksums.pseudoHeader(scope.server, dstIp, 17, udpLength);
        int sum = Checksums.fold(Checksums.sum(f, udp, udpLength, pseudo));
        b.putShort(udp + 6, (short) (sum == 0 ? 0xFFFF : sum));
        return f;
    }

    /**
     * Option 121 (RFC 3442): the scope's routes, then the default route through {@code router}
     * (a client that gets option 121 ignores option 3, so the default route must be in it too).
     */
    static byte[] classlessRoutes(List<Scope.Route> routes, int router) {
        ByteBuffer b = ByteBuffer.allocate(routes.size() * 9 + 9);
        for (Scope.Route r : routes) {
            putRoute(b, r.network, r.prefix, r.gateway);
        }
        if (router != 0) {
            putRoute(b, 0, 0, router);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void putRoute(ByteBuffer b, int network, int prefix, int gateway) {
        b.put((byte) prefix);
        int significant = (prefix + 7) / 8;
        for (int i = 0; i < significant; i++) {
            b.put((byte) (network >>> (24 - 8 * i)));
        }
        b.putInt(gateway);
    }

    /** An ARP reply from the server's address to whoever asked. */
    static byte[] arpReply(long serverMac, int serverIp, long askerMac, int askerIp) {
        byte[] f = new byte[42];
        ByteBuffer b = ByteBuffer.wrap(f);
        putMac(b, 0, askerMac);
        putMac(b, 6, serverMac);
        b.putShort(12, (short) 0x0806);
        b.putShort(14, (short) 1);
        b.putShort(16, (short) 0x0800);
        b.put(18, (byte) 6);
        b.put(19, (byte) 4);
        b.putShort(20, (short) 2);
        putMac(b, 22, serverMac);
        b.putInt(28, serverIp);
        putMac(b, 32, askerMac);
        b.putInt(38, askerIp);
        return f;
    }

    /**
     * The asker's address when [offset, offset+length) is an ARP request for {@code ip} (from a
     * sender with an address: not a probe), or 0. Allocation-free.
     */
    static int arpRequestFor(ByteBuffer b, int offset, int length, int ip) {
        if (length < 42 || (b.getShort(offset + 12) & 0xFFFF) != 0x0806 || b.getShort(offset + 14) != 1
                || (b.getShort(offset + 16) & 0xFFFF) != 0x0800 || b.get(offset + 18) != 6 || b.get(offset + 19) != 4
                || b.getShort(offset + 20) != 1 || b.getInt(offset + 38) != ip) {
            return 0;
        }
        return b.getInt(offset + 28);
    }

    static void putMac(ByteBuffer b, int at, long mac) {
        b.putShort(at, (short) (mac >>> 32));
        b.putInt(at + 2, (int) mac);
    }

    private static byte[] ascii(String s, int max) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        return bytes.length <= max ? bytes : java.util.Arrays.copyOf(bytes, max);
    }
}
