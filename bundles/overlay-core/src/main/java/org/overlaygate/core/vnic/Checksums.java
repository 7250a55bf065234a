package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071) over parts of a buffer, big-endian, without allocating. Sums
 * are kept unfolded in a long: 32-bit words are added (RFC 1071's "larger words" trick: the
 * one's-complement sum of 32-bit words folds to the same 16 bits), so a 64 KiB frame adds up in
 * 8-byte steps, two sums at a time, and never comes near overflowing.
 */
final class Checksums {
    private Checksums() {
    }

    /**
     * Adds the 16-bit big-endian words of [from, from+length) to {@code sum} (a trailing odd byte
     * counts as its word's high byte, so {@code length} should be even except for the last part
     * of a sum). The result is unfolded: fold with {@link #fold}.
     */
    static long add(ByteBuffer b, int from, int length, long sum) {
        int i = from;
        int end = from + length;
        long other = 0; // two sums in turn: the additions of one step do not wait for the other's
        while (end - i >= 16) {
            long v = b.getLong(i);
            long w = b.getLong(i + 8);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            other += (w >>> 32) + (w & 0xFFFF_FFFFL);
            i += 16;
        }
        if (end - i >= 8) {
            long v = b.getLong(i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            i += 8;
        }
        return tail(b, i, end, sum + other);
    }

    private static long tail(ByteBuffer b, int i, int end, long sum) {
        while (end - i >= 2) {
            sum += b.getShort(i) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits (end-around carry). */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum field value for a sum: its one's complement, 16 bits. */
    static short complement(long sum) {
        return (short) ~fold(sum);
    }

    /**
     * The pseudo-header of TCP or UDP over IPv4 or IPv6 (addresses, protocol, length), unfolded:
     * for IPv4 the addresses are the 8 bytes at {@code l3 + 12}, for IPv6 the 32 at {@code l3 + 8}.
     */
    static long pseudoHeader(ByteBuffer b, int l3, boolean v6, int protocol, int l4Length) {
        long sum = v6 ? add(b, l3 + 8, 32, 0) : add(b, l3 + 12, 8, 0);
        return sum + protocol + l4Length;
    }
}
