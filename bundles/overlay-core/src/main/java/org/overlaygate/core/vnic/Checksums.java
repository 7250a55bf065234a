package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;

/** The Internet checksum (RFC 1071) over parts of a buffer, big-endian, without allocating. */
final class Checksums {
    private Checksums() {
    }

    /**
     * Adds the 16-bit big-endian words of [from, from+length) to {@code sum} (a trailing odd byte
     * counts as its word's high byte). The result is unfolded: fold with {@link #fold}.
     */
    static long add(ByteBuffer b, int from, int length, long sum) {
        int i = from;
        int end = from + length;
        while (end - i >= 8) {
            long v = b.getLong(i);
            sum += (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
            i += 8;
        }
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
}
