package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.overlaygate.core.device.Delivery;
import org.overlaygate.core.device.LocalPort;
import org.overlaygate.core.os.GatherList;

/**
 * Userspace GRO for TAP VNICs: while a receive thread handles one batch of underlay packets, the
 * consecutive TCP segments of one flow for one VNIC are held back and written to its TAP device as
 * one frame, with a virtio_net_hdr of GSO type TCPV4/TCPV6, the MSS as gso_size and NEEDS_CSUM, so
 * that the stack behind the TAP takes them as one large segment, as after the kernel's own GRO.
 * Nothing is copied: the frame is written with writev from the pieces where they were received.
 *
 * <h2>What merges</h2>
 * A segment joins the frame its flow has open when it is, as the kernel's GRO requires:
 * <ul>
 * <li>IPv4 without options or fragmentation, or IPv6 with TCP as the next header, in a frame
 * without a VLAN tag whose IP length fits it exactly;</li>
 * <li>with the same Ethernet header, addresses, ports, ACK number, TCP header length and options,
 * IPv4 TOS, TTL and DF (IPv6: version, class, flow label and hop limit);</li>
 * <li>next in sequence, carrying data, with no flag but ACK (PSH too, which then closes the frame),
 * no larger than the first segment's payload (the MSS; a shorter one closes the frame);</li>
 * <li>with valid checksums: the IPv4 header's and the TCP checksum of every segment merged, the
 * first included, are checked here, since nothing checks them afterwards (the underlay's zero UDP
 * checksum protects nothing).</li>
 * </ul>
 * Anything else is written as it came, alone: a segment that cannot join closes its flow's frame
 * (written first, so that a flow's order never changes) and opens a new one; any other frame of the
 * flow (FIN, SYN, a segment with a bad checksum) is written after the flow's open frame; frames of
 * other protocols and flows go at once. A frame of one segment is written unchanged. At most
 * {@value #MAX_SEGMENTS} segments and 64 KiB of IP packet make one frame; {@value #FLOWS} flows
 * may be open at once (the oldest is written to make room).
 *
 * <p>One per receive thread (it is the thread's {@link org.overlaygate.core.underlay.InboundBatch});
 * allocates nothing. Frames for VNICs without a TAP that takes GSO writes are delivered at once.
 */
public final class TcpCoalescer implements Delivery {
    /** Flows with a frame open at once. */
    static final int FLOWS = 8;
    /** Segments in one frame at most. */
    static final int MAX_SEGMENTS = 64;
    private static final int MAX_IP_PACKET = 65535;
    private static final int ETHERNET = 14;
    private static final int TCP = 6;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    // virtio_net_hdr
    private static final byte F_NEEDS_CSUM = 1;
    private static final byte GSO_TCPV4 = 1;
    private static final byte GSO_TCPV6 = 4;

    /** A flow's open frame: its first segment in place, and the payloads that follow it. */
    private static final class Open {
        PortVnic port;
        ByteBuffer buf;
        int offset;
        int length;
        int l3;
        int l4;
        boolean v6;
        int tcpHeader;
        int headers;
        int mss;
        int segments;
        long nextSeq;
        int payloadBytes;
        long frameBytes;
        boolean closed;
        boolean push;
        boolean checked;
        final int[] pieceOffset = new int[MAX_SEGMENTS];
        final int[] pieceLength = new int[MAX_SEGMENTS];
    }

    private final Open[] open = new Open[FLOWS];
    private int opened;
    private final GatherList gather = new GatherList(MAX_SEGMENTS + 1);
    private final ByteBuffer vnetHeader = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);

    // the frame being looked at
    private int l3;
    private int l4;
    private boolean v6;
    private int tcpHeader;
    private int payload;
    private int flags;

    public TcpCoalescer() {
        for (int i = 0; i < FLOWS; i++) {
            open[i] = new Open();
        }
    }

    @Override
    public void deliver(LocalPort port, ByteBuffer buf, int offset, int length) {
        PortVnic vnic = port instanceof PortVnic ? (PortVnic) port : null;
        if (vnic == null || !vnic.takesCoalesced() || !parseTcp(buf, offset, length)) {
            port.deliver(buf, offset, length);
            return;
        }
        int flow = find(vnic, buf);
        boolean candidate = payload > 0 && (flags == ACK || flags == (ACK | PSH)) && exactLength(buf, offset, length);
        if (!candidate) {
            if (flow >= 0) {
                write(flow);
            }
            port.deliver(buf, offset, length);
            return;
        }
        if (flow >= 0) {
            Open o = open[flow];
            if (joins(o, buf, offset)) {
                if (!o.checked) {
                    if (!checksumsValid(o.buf, o.l3, o.l4, o.v6, o.length - (o.l4 - o.offset))) {
                        write(flow); // its only segment, unchanged: the stack behind the TAP drops it
                        begin(vnic, buf, offset, length);
                        return;
                    }
                    o.checked = true;
                }
                if (!checksumsValid(buf, l3, l4, v6, tcpHeader + payload)) {
                    write(flow);
                    port.deliver(buf, offset, length); // alone and unchanged, after its flow
                    return;
                }
                append(o, buf, offset, length);
                return;
            }
            write(flow);
        }
        begin(vnic, buf, offset, length);
    }

    /**
     * Writes every open frame. A write that throws (a bug below, an Error) costs its own frame
     * only: the others are still written, and no flow stays open pointing into the receive buffer
     * the next batch reuses (a later write would mark those new bytes CHECKSUM_PARTIAL). The first
     * failure is rethrown once all are done.
     */
    @Override
    public void flush() {
        Throwable failure = null;
        while (opened > 0) {
            try {
                write(opened - 1); // forgets the flow before it writes
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    /** Reads the IP and TCP headers of an untagged IPv4 or IPv6 TCP frame into the fields. */
    private boolean parseTcp(ByteBuffer b, int offset, int length) {
        if (length < ETHERNET + 40) {
            return false;
        }
        int type = b.getShort(offset + 12) & 0xFFFF;
        l3 = offset + ETHERNET;
        int ipHeader;
        if (type == 0x0800 && (b.get(l3) & 0xF0) == 0x40 && (b.get(l3 + 9) & 0xFF) == TCP) {
            v6 = false;
            ipHeader = (b.get(l3) & 0x0F) * 4;
        } else if (type == 0x86DD && (b.get(l3) & 0xF0) == 0x60 && (b.get(l3 + 6) & 0xFF) == TCP) {
            v6 = true;
            ipHeader = 40;
        } else {
            return false;
        }
        l4 = l3 + ipHeader;
        if (ipHeader < 20 || l4 + 20 > offset + length) {
            return false;
        }
        tcpHeader = ((b.get(l4 + 12) & 0xF0) >>> 4) * 4;
        if (tcpHeader < 20 || l4 + tcpHeader > offset + length) {
            return false;
        }
        payload = offset + length - l4 - tcpHeader;
        flags = b.get(l4 + 13) & 0xFF;
        return true;
    }

    /** No IPv4 options or fragments, and an IP length that is the frame's. */
    private boolean exactLength(ByteBuffer b, int offset, int length) {
        if (v6) {
            return (b.getShort(l3 + 4) & 0xFFFF) == length - ETHERNET - 40;
        }
        return l4 - l3 == 20 && (b.getShort(l3 + 6) & 0x3FFF) == 0 && (b.getShort(l3 + 2) & 0xFFFF) == length - ETHERNET;
    }

    /** The open frame of the frame's flow (VNIC, addresses, ports), or -1. */
    private int find(PortVnic vnic, ByteBuffer b) {
        for (int i = 0; i < opened; i++) {
            Open o = open[i];
            if (o.port != vnic || o.v6 != v6 || o.buf != b || b.getInt(o.l4) != b.getInt(l4)) {
                continue;
            }
            boolean same = v6 ? b.getLong(o.l3 + 8) == b.getLong(l3 + 8) && b.getLong(o.l3 + 16) == b.getLong(l3 + 16)
                    && b.getLong(o.l3 + 24) == b.getLong(l3 + 24) && b.getLong(o.l3 + 32) == b.getLong(l3 + 32)
                    : b.getLong(o.l3 + 12) == b.getLong(l3 + 12);
            if (same) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the frame (a candidate of o's flow) can be appended to o. */
    private boolean joins(Open o, ByteBuffer b, int offset) {
        if (o.closed || o.segments == MAX_SEGMENTS || payload > o.mss || tcpHeader != o.tcpHeader) {
            return false;
        }
        if ((b.getInt(l4 + 4) & 0xFFFF_FFFFL) != o.nextSeq || b.getInt(l4 + 8) != b.getInt(o.l4 + 8)) {
            return false; // out of sequence, or another ACK
        }
        if (o.headers - ETHERNET + o.payloadBytes + payload > MAX_IP_PACKET) {
            return false;
        }
        if (b.getLong(offset) != b.getLong(o.offset) || b.getInt(offset + 8) != b.getInt(o.offset + 8)) {
            return false; // MAC addresses (the ethertype is the same: same IP version)
        }
        if (v6) {
            if (b.getInt(l3) != b.getInt(o.l3) || b.get(l3 + 7) != b.get(o.l3 + 7)) {
                return false; // version, traffic class, flow label; hop limit
            }
        } else if (b.get(l3 + 1) != b.get(o.l3 + 1) || b.get(l3 + 8) != b.get(o.l3 + 8)
                || (b.get(l3 + 6) & 0x40) != (b.get(o.l3 + 6) & 0x40)) {
            return false; // TOS, TTL, DF
        }
        for (int i = 20; i < tcpHeader; i += 4) {
            if (b.getInt(l4 + i) != b.getInt(o.l4 + i)) {
                return false; // options (timestamps)
            }
        }
        return true;
    }

    private static boolean checksumsValid(ByteBuffer b, int l3, int l4, boolean v6, int tcpLength) {
        if (!v6 && Checksums.fold(Checksums.add(b, l3, l4 - l3, 0)) != 0xFFFF) {
            return false;
        }
        long sum = Checksums.pseudoHeader(b, l3, v6, TCP, tcpLength);
        return Checksums.fold(Checksums.add(b, l4, tcpLength, sum)) == 0xFFFF;
    }

    /** Opens a frame for the (candidate) frame's flow, writing the oldest when all are in use. */
    private void begin(PortVnic vnic, ByteBuffer b, int offset, int length) {
        if (opened == FLOWS) {
            write(0);
        }
        Open o = open[opened++];
        o.port = vnic;
        o.buf = b;
        o.offset = offset;
        o.length = length;
        o.l3 = l3;
        o.l4 = l4;
        o.v6 = v6;
        o.tcpHeader = tcpHeader;
        o.headers = l4 + tcpHeader - offset;
        o.mss = payload;
        o.segments = 1;
        o.nextSeq = ((b.getInt(l4 + 4) & 0xFFFF_FFFFL) + payload) & 0xFFFF_FFFFL;
        o.payloadBytes = payload;
        o.frameBytes = length;
        o.push = (flags & PSH) != 0;
        o.closed = o.push;
        o.checked = false;
        o.pieceOffset[0] = offset;
        o.pieceLength[0] = length;
    }

    private void append(Open o, ByteBuffer b, int offset, int length) {
        int i = o.segments++;
        o.pieceOffset[i] = l4 + tcpHeader;
        o.pieceLength[i] = payload;
        o.nextSeq = (o.nextSeq + payload) & 0xFFFF_FFFFL;
        o.payloadBytes += payload;
        o.frameBytes += length;
        if ((flags & PSH) != 0) {
            o.push = true;
            o.closed = true;
        }
        if (payload < o.mss) {
            o.closed = true; // nothing may follow a short segment
        }
    }

    /** Writes open frame i (alone and unchanged when it has one segment) and forgets it. */
    private void write(int i) {
        Open o = open[i];
        System.arraycopy(open, i + 1, open, i, opened - i - 1);
        open[--opened] = o; // forgotten first: whatever the write does, nothing stale stays open
        try {
            if (o.segments == 1) {
                o.port.deliver(o.buf, o.offset, o.length);
            } else {
                writeCoalesced(o);
            }
        } finally {
            o.port = null;
            o.buf = null;
        }
    }

    private void writeCoalesced(Open o) {
        ByteBuffer b = o.buf;
        int tcpLength = o.tcpHeader + o.payloadBytes;
        if (o.v6) {
            b.putShort(o.l3 + 4, (short) tcpLength);
        } else {
            b.putShort(o.l3 + 2, (short) (20 + tcpLength));
            b.putShort(o.l3 + 10, (short) 0);
            b.putShort(o.l3 + 10, Checksums.complement(Checksums.add(b, o.l3, 20, 0)));
        }
        if (o.push) {
            b.put(o.l4 + 13, (byte) (b.get(o.l4 + 13) | PSH));
        }
        // CHECKSUM_PARTIAL: the field holds the pseudo-header's sum; the kernel adds the rest.
        b.putShort(o.l4 + 16, (short) Checksums.fold(Checksums.pseudoHeader(b, o.l3, o.v6, TCP, tcpLength)));
        vnetHeader.put(0, F_NEEDS_CSUM);
        vnetHeader.put(1, o.v6 ? GSO_TCPV6 : GSO_TCPV4);
        vnetHeader.putShort(2, (short) o.headers);
        vnetHeader.putShort(4, (short) o.mss);
        vnetHeader.putShort(6, (short) (o.l4 - o.offset));
        vnetHeader.putShort(8, (short) 16);
        gather.clear();
        gather.add(vnetHeader, 0, 10);
        gather.add(b, o.offset, o.length);
        for (int k = 1; k < o.segments; k++) {
            gather.add(b, o.pieceOffset[k], o.pieceLength[k]);
        }
        o.port.deliverCoalesced(gather, o.segments, o.frameBytes);
    }
}
