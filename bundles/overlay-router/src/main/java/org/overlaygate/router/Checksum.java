package org.overlaygate.router;

import java.nio.ByteBuffer;

/** The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
final class Checksum {
    private Checksum() {
    }

    /** The ones' complement sum of [offset, offset+length), not folded, added to {@code sum}. */
    static long sum(ByteBuffer b, int offset, int length, long sum) {
        int i = offset;
        int end = offset + length;
        for (; i + 1 < end; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        if (i < end) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits and complements it: the value to store in a checksum field. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** The checksum of [offset, offset+length), the checksum field itself zero or included. */
    static int of(ByteBuffer b, int offset, int length) {
        return finish(sum(b, offset, length, 0));
    }

    /**
     * RFC 1624 eqn. 3: the checksum after one 16-bit word of the covered data changed from
     * {@code oldWord} to {@code newWord}: HC' = ~(~HC + ~m + m').
     */
    static int update(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return finish(sum);
    }

    /** The sum of an IPv6 pseudo-header (RFC 8200 8.1) for an upper-layer packet. */
    static long pseudoV6(ByteBuffer b, int srcOffset, int dstOffset, int upperLength, int nextHeader) {
        long sum = sum(b, srcOffset, 16, 0);
        sum = sum(b, dstOffset, 16, sum);
        return sum + (upperLength >>> 16) + (upperLength & 0xFFFF) + nextHeader;
    }
}
