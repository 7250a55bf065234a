package org.overlaygate.router;

/**
 * Addresses a router never forwards from or to (RFC 1812 5.3.7, 5.2.7.3; RFC 4291 2.5): Linux's
 * martians. Pure functions on the address forms the router reads.
 */
final class Martians {
    private Martians() {
    }

    /** IPv4 sources: 0/8, 127/8, 169.254/16, 224/4 (multicast), 240/4 (reserved and 255.255.255.255). */
    static boolean v4Source(int src) {
        int a = src >>> 24;
        return a == 0 || a == 127 || (src >>> 16) == 0xA9FE || a >= 224;
    }

    /** IPv4 destinations that are never routed: 0/8, 127/8, 169.254/16, 240/4 (multicast is {@link #v4Group}). */
    static boolean v4Destination(int dst) {
        int a = dst >>> 24;
        return a == 0 || a == 127 || (dst >>> 16) == 0xA9FE || (a >= 240 && dst != -1);
    }

    /** Multicast and the limited broadcast. */
    static boolean v4Group(int dst) {
        int a = dst >>> 24;
        return (a >= 224 && a < 240) || dst == -1;
    }

    static boolean v6Multicast(long hi) {
        return (hi >>> 56) == 0xFF;
    }

    static boolean v6LinkLocal(long hi) {
        return (hi >>> 54) == (0xFE80L >>> 6);
    }

    /** IPv6 sources: unspecified, loopback, multicast, IPv4-mapped; link-local ones are never forwarded either. */
    static boolean v6Source(long hi, long lo) {
        return v6Special(hi, lo) || v6Multicast(hi) || v6LinkLocal(hi);
    }

    /** IPv6 destinations: unspecified, loopback, IPv4-mapped, link-local. */
    static boolean v6Destination(long hi, long lo) {
        return v6Special(hi, lo) || v6LinkLocal(hi);
    }

    private static boolean v6Special(long hi, long lo) {
        return hi == 0 && (lo == 0 || lo == 1 || (lo >>> 32) == 0xFFFFL);
    }
}
