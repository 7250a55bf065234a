package org.overlaygate.itests;

import java.nio.ByteBuffer;

/**
 * Geneve packets built by hand, for a test that plays the far end of an overlay: a header with any
 * fields, non-critical or critical options of any total length, an inner ICMP echo request from a
 * peer VM (192.168.82.9) to the appliance's VM (192.168.82.2), and the parse of the reply.
 */
final class GeneveFrames {
    static final String VM_MAC = "02:08:20:00:51:02";
    static final String PEER_MAC = "02:08:20:00:51:09";
    private static final byte[] VM_IP = {(byte) 192, (byte) 168, 82, 2};
    private static final byte[] PEER_IP = {(byte) 192, (byte) 168, 82, 9};
    private static final int ECHO_ID = 0x4242;

    private GeneveFrames() {
    }

    /** The 8-byte header from its fields, the options, then the inner frame. */
    static ByteBuffer packet(int version, int flags, int protocol, long vni, byte[] options, byte[] inner) {
        ByteBuffer b = ByteBuffer.allocate(8 + options.length + inner.length);
        b.put((byte) ((version << 6) | (options.length / 4))).put((byte) flags).putShort((short) protocol).putInt((int) (vni << 8));
        return b.put(options).put(inner).flip();
    }

    /**
     * {@code total} bytes (a multiple of 4) of options, each as long as an option may be (4 + 124
     * bytes), the last one shorter; the first critical when asked.
     */
    static byte[] options(int total, boolean critical) {
        ByteBuffer b = ByteBuffer.allocate(total);
        for (int i = 0; b.hasRemaining(); i++) {
            int data = Math.min(124, b.remaining() - 4);
            b.putShort((short) (0x0100 + i)).put((byte) (i == 0 && critical ? 0x80 : i & 0x7F)).put((byte) (data / 4));
            for (int k = 0; k < data; k++) {
                b.put((byte) (k ^ i));
            }
        }
        return b.array();
    }

    /** An Ethernet frame PEER_MAC -> VM_MAC carrying an ICMP echo request with this sequence number. */
    static byte[] echoRequest(int seq) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + 32);
        icmp.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) ECHO_ID).putShort((short) seq);
        for (int i = 0; i < 32; i++) {
            icmp.put((byte) ('a' + i % 26));
        }
        icmp.putShort(2, checksum(icmp.array(), 0, icmp.capacity()));
        ByteBuffer ip = ByteBuffer.allocate(20 + icmp.capacity());
        ip.put((byte) 0x45).put((byte) 0).putShort((short) ip.capacity()).putShort((short) seq).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 1).putShort((short) 0).put(PEER_IP).put(VM_IP).put(icmp.array());
        ip.putShort(10, checksum(ip.array(), 0, 20));
        ByteBuffer eth = ByteBuffer.allocate(14 + ip.capacity());
        eth.put(mac(VM_MAC)).put(mac(PEER_MAC)).putShort((short) 0x0800).put(ip.array());
        return eth.array();
    }

    private static byte[] mac(String text) {
        byte[] out = new byte[6];
        String[] parts = text.split(":");
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    private static String mac(ByteBuffer b, int at) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(i == 0 ? "" : ":").append(String.format("%02x", b.get(at + i) & 0xFF));
        }
        return s.toString();
    }

    /** The Internet checksum (RFC 1071). */
    private static short checksum(byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xFF;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (short) ~sum;
    }

    /** What a test checks of the appliance's Geneve packet carrying an ICMP echo reply. */
    static final class Reply {
        int version;
        int optionBytes;
        int flags;
        int protocol;
        long vni;
        String destination;
        String source;
        int sequence;

        /** The reply in {@code length} bytes of {@code b}, or null when it is something else (or too short to be one). */
        static Reply parse(ByteBuffer b, int length) {
            if (length < 8) {
                return null;
            }
            Reply r = new Reply();
            r.version = (b.get(0) & 0xFF) >>> 6;
            r.optionBytes = (b.get(0) & 0x3F) * 4;
            r.flags = b.get(1) & 0xFF;
            r.protocol = b.getShort(2) & 0xFFFF;
            r.vni = (b.getInt(4) >>> 8) & 0xFFFFFF;
            int eth = 8 + r.optionBytes;
            if (length < eth + 14 + 20 + 8 || (b.getShort(eth + 12) & 0xFFFF) != 0x0800) {
                return null;
            }
            r.destination = mac(b, eth);
            r.source = mac(b, eth + 6);
            int ip = eth + 14;
            int icmp = ip + (b.get(ip) & 0x0F) * 4;
            if (b.get(ip + 9) != 1 || b.get(icmp) != 0 || (b.getShort(icmp + 4) & 0xFFFF) != ECHO_ID) {
                return null;
            }
            r.sequence = b.getShort(icmp + 6) & 0xFFFF;
            return r;
        }
    }
}
