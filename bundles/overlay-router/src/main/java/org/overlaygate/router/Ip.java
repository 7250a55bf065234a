package org.overlaygate.router;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * IP addresses as two {@code long}s (the high and low 64 bits of an IPv6 address), IPv4 ones as
 * IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}), so that one longest-prefix match and one neighbour
 * table serve both families without allocating.
 */
final class Ip {
    /** The high bits of {@code ::ffff:0:0/96} in the low word. */
    static final long V4_MAPPED = 0x0000_FFFF_0000_0000L;

    private Ip() {
    }

    static long v4Lo(int ip) {
        return V4_MAPPED | (ip & 0xFFFF_FFFFL);
    }

    static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED;
    }

    /** Parses an address literal (no host names). */
    static long[] parse(String literal) {
        if (literal.isEmpty() || !(literal.indexOf(':') >= 0 || literal.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("bad address '" + literal + "'");
        }
        byte[] b;
        try {
            b = InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address '" + literal + "'");
        }
        return of(b);
    }

    static long[] of(byte[] b) {
        ByteBuffer w = ByteBuffer.wrap(b);
        if (b.length == 4) {
            return new long[] {0, v4Lo(w.getInt())};
        }
        return new long[] {w.getLong(0), w.getLong(8)};
    }

    static InetAddress toInet(long hi, long lo) {
        try {
            if (isV4(hi, lo)) {
                return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt((int) lo).array());
            }
            return InetAddress.getByAddress(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static String format(long hi, long lo) {
        InetAddress a = toInet(hi, lo);
        if (a instanceof Inet6Address) {
            return compress(a.getHostAddress());
        }
        return ((Inet4Address) a).getHostAddress();
    }

    /** Java writes 2001:db8:0:0:0:0:0:1; people write 2001:db8::1. */
    private static String compress(String full) {
        String[] g = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < g.length;) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            s.append(i == 0 ? "" : ":").append(g[i]);
        }
        s.append("::");
        for (int i = bestStart + bestLen; i < g.length; i++) {
            s.append(g[i]).append(i == g.length - 1 ? "" : ":");
        }
        return s.toString();
    }

    /** The link-local address a router port uses for IPv6 (fe80::/64 with the modified EUI-64 of its MAC, RFC 4291). */
    static long[] linkLocal(long mac) {
        long eui = ((mac >>> 24) << 40) | (0xFFFEL << 24) | (mac & 0xFF_FFFFL);
        eui ^= 0x0200_0000_0000_0000L;
        return new long[] {0xFE80_0000_0000_0000L, eui};
    }
}
