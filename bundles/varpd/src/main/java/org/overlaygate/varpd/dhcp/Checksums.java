package org.overlaygate.varpd.dhcp;

/** The Internet checksum (RFC 1071) over byte arrays, for the DHCP server's IPv4 and UDP headers. */
final class Checksums {
    private Checksums() {
    }

    /** Adds [offset, offset+length) as 16-bit words to {@code sum}. */
    static long sum(byte[] b, int offset, int length, long sum) {
        int i = offset;
        int end = offset + length;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    static long pseudoHeader(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol + length;
    }

    /** The one's complement of the folded sum: 0 when a header with its checksum in place is right. */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
