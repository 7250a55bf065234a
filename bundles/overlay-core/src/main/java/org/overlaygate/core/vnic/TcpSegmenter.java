package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;

import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;

/**
 * Undoes the offloads a TAP device with a vnet header hands over, so that the rest of the data path
 * sees ordinary frames no larger than the overlay MTU: a frame whose checksum is partial
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM) gets it completed; a TCP segment larger than the MTU (GSO TCPV4 or
 * TCPV6, up to 64 KiB) is cut into MSS-sized segments, each with its own IP length, IPv4
 * identification and header checksum, TCP sequence number, flags (FIN and PSH only on the last,
 * CWR only on the first) and TCP checksum, exactly as the kernel's own GSO would. The stack behind
 * the TAP then does its TCP work once per 64 KiB instead of once per 1.4 KiB, and so does the reader.
 *
 * <p>Segments are built one after the other in a buffer of {@value #TRAIN_BYTES} bytes, each with
 * {@link BufferLayout#HEADROOM} free bytes in front, and stay there after the sink took them: a
 * reader that sends in batches hands them all to one GSO send. Before it would overwrite a
 * segment it handed out, the segmenter asks the sink to let go of them ({@link Sink#reuse()}); the
 * reader does the same with {@link #reset()} after its own flushes.
 *
 * <p>The guest is not trusted: a frame whose headers are not what its GSO type says (an IPv4 header
 * shorter than 20 bytes, another IP version, headers past the frame) is dropped as
 * {@value #MALFORMED_GSO}, and one whose MSS is below {@value #MIN_MSS_IPV4} (IPv4) or
 * {@value #MIN_MSS_IPV6} (IPv6), the least either protocol guarantees, as {@value #GSO_MSS_TOO_SMALL}:
 * a 64 KiB frame with an MSS of 1 would otherwise become 64 thousand packets.
 *
 * <p>One per VNIC reader thread: it owns the buffer segments are built in. Allocates nothing.
 */
final class TcpSegmenter {
    static final String UNSUPPORTED_GSO = "unsupported_gso";
    static final String MALFORMED_GSO = "malformed_gso";
    /** A TSO frame whose MSS is below what IPv4 (536) or IPv6 (1220) guarantee: one 64 KiB frame would become thousands of packets. */
    static final String GSO_MSS_TOO_SMALL = "gso_mss_too_small";
    static final int MIN_MSS_IPV4 = 536;
    static final int MIN_MSS_IPV6 = 1220;
    /** Room for the segments of at least one 64 KiB frame at any MSS the MTU allows. */
    static final int TRAIN_BYTES = 256 * 1024;

    // virtio_net_hdr (legacy, little-endian): u8 flags, u8 gso_type, hdr_len, gso_size, csum_start, csum_offset
    private static final int F_NEEDS_CSUM = 1;
    private static final int GSO_NONE = 0;
    private static final int GSO_TCPV4 = 1;
    private static final int GSO_TCPV6 = 4;
    private static final int GSO_ECN = 0x80;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int TCP = 6;

    /** Where segments are built, one after the other. */
    private final ByteBuffer segments = ByteBuffer.allocateDirect(TRAIN_BYTES);
    /** Where the next segment's headroom starts. */
    private int next;

    /** Receives each frame (at [offset, offset+length) of a direct buffer with headroom in front). */
    interface Sink {
        void frame(ByteBuffer buf, int offset, int length);

        /**
         * The segmenter is about to overwrite segments it handed out: whatever holds them must be
         * done with them when this returns (a batch is flushed).
         */
        default void reuse() {
        }
    }

    /** The sink is done with every segment handed out: the buffer may be reused from its start. */
    void reset() {
        next = 0;
    }

    /**
     * Processes one frame read with its vnet header at {@code header} and the frame at
     * [offset, offset+length).
     */
    void process(ByteBuffer in, int header, int offset, int length, Counters counters, Sink sink) {
        int flags = in.get(header) & 0xFF;
        int gso = in.get(header + 1) & 0xFF & ~GSO_ECN;
        if (gso == GSO_NONE) {
            if ((flags & F_NEEDS_CSUM) != 0 && !completeChecksum(in, offset, length, le16(in, header + 6), le16(in, header + 8))) {
                counters.drop(MALFORMED_GSO);
                return;
            }
            sink.frame(in, offset, length);
            return;
        }
        if (gso != GSO_TCPV4 && gso != GSO_TCPV6) {
            counters.drop(UNSUPPORTED_GSO);
            return;
        }
        int mss = le16(in, header + 4);
        if (mss < (gso == GSO_TCPV6 ? MIN_MSS_IPV6 : MIN_MSS_IPV4)) {
            counters.drop(GSO_MSS_TOO_SMALL);
            return;
        }
        if (!segment(in, offset, length, mss, gso == GSO_TCPV6, sink)) {
            counters.drop(MALFORMED_GSO);
        }
    }

    private static int le16(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) | (b.get(at + 1) & 0xFF) << 8;
    }

    /** CHECKSUM_PARTIAL: the field holds the pseudo-header sum; sum from csumStart to the end. */
    static boolean completeChecksum(ByteBuffer b, int offset, int length, int csumStart, int csumOffset) {
        int field = offset + csumStart + csumOffset;
        if (csumStart >= length || csumStart + csumOffset + 2 > length) {
            return false;
        }
        long sum = Checksums.add(b, offset + csumStart, length - csumStart, 0);
        b.putShort(field, Checksums.complement(sum));
        return true;
    }

    private boolean segment(ByteBuffer in, int offset, int length, int mss, boolean v6, Sink sink) {
        if (length < 14 + 4 + 40) {
            return false; // not even a tagged frame with the smallest IP and TCP headers
        }
        int l3 = offset + 14;
        int type = in.getShort(offset + 12) & 0xFFFF;
        if (type == ETHERTYPE_VLAN) {
            type = in.getShort(offset + 16) & 0xFFFF;
            l3 += 4;
        }
        int ipHeader;
        if (!v6 && type == ETHERTYPE_IPV4 && (in.get(l3) & 0xF0) == 0x40 && (in.get(l3 + 9) & 0xFF) == TCP) {
            ipHeader = (in.get(l3) & 0x0F) * 4;
            if (ipHeader < 20) {
                return false; // IHL below 5: the TCP header would overlap the IP header
            }
        } else if (v6 && type == ETHERTYPE_IPV6 && (in.get(l3) & 0xF0) == 0x60 && (in.get(l3 + 6) & 0xFF) == TCP) {
            ipHeader = 40; // the kernel only offloads TCP right after the fixed header
        } else {
            return false;
        }
        int l4 = l3 + ipHeader;
        if (l4 + 20 > offset + length) {
            return false;
        }
        int tcpHeader = ((in.get(l4 + 12) & 0xF0) >>> 4) * 4;
        int headers = l4 + tcpHeader - offset;
        int payload = length - headers;
        if (tcpHeader < 20 || payload <= 0 || headers + mss > BufferLayout.MAX_FRAME || l4 + tcpHeader > offset + length) {
            return false;
        }
        long seq = in.getInt(l4 + 4) & 0xFFFF_FFFFL;
        int ipId = v6 ? 0 : in.getShort(l3 + 4) & 0xFFFF;
        int tcpFlags = in.get(l4 + 13) & 0xFF;
        int l3Offset = l3 - offset;
        int l4Offset = l4 - offset;
        int slot = (BufferLayout.HEADROOM + headers + mss + 7) & ~7;
        for (int done = 0, i = 0; done < payload; done += mss, i++) {
            if (next + slot > TRAIN_BYTES) {
                sink.reuse();
                next = 0;
            }
            int base = next + BufferLayout.HEADROOM;
            int segL3 = base + l3Offset;
            int segL4 = base + l4Offset;
            int chunk = Math.min(mss, payload - done);
            boolean last = done + chunk >= payload;
            segments.put(base, in, offset, headers);
            segments.put(base + headers, in, offset + headers + done, chunk);
            long payloadSum = Checksums.add(in, offset + headers + done, chunk, 0);
            if (v6) {
                segments.putShort(segL3 + 4, (short) (tcpHeader + chunk));
            } else {
                segments.putShort(segL3 + 2, (short) (ipHeader + tcpHeader + chunk));
                segments.putShort(segL3 + 4, (short) (ipId + i));
                segments.putShort(segL3 + 10, (short) 0);
                segments.putShort(segL3 + 10, Checksums.complement(Checksums.add(segments, segL3, ipHeader, 0)));
            }
            segments.putInt(segL4 + 4, (int) (seq + done));
            int f = tcpFlags;
            if (!last) {
                f &= ~0x09; // FIN, PSH: only on the last segment
            }
            if (i > 0) {
                f &= ~0x80; // CWR: only on the first
            }
            segments.put(segL4 + 13, (byte) f);
            segments.putShort(segL4 + 16, (short) 0);
            long sum = Checksums.pseudoHeader(segments, segL3, v6, TCP, tcpHeader + chunk);
            sum = Checksums.add(segments, segL4, tcpHeader, sum) + payloadSum;
            segments.putShort(segL4 + 16, Checksums.complement(sum));
            next += (BufferLayout.HEADROOM + headers + chunk + 7) & ~7;
            sink.frame(segments, base, headers + chunk);
        }
        return true;
    }
}
