package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.api.MacAddress;

/**
 * A hash of an inner frame's flow, for underlay entropy (the outer UDP source port of VXLAN, the
 * FlowID of NVGRE) so that ECMP spreads flows while keeping each flow on one path. IPv4 and IPv6
 * use addresses, protocol and, for TCP/UDP/SCTP first fragments, ports; anything else uses the
 * MAC addresses and ethertype. Reads the buffer in place; allocates nothing.
 */
public final class FlowHash {
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;

    private FlowHash() {
    }

    /** Hash of the frame at [offset, offset+length). */
    public static int of(ByteBuffer buf, int offset, int length) {
        int end = offset + length;
        int p = offset + 12;
        if (p + 2 > end) {
            return 0;
        }
        int type = buf.getShort(p) & 0xFFFF;
        while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && p + 6 <= end) {
            p += 4;
            type = buf.getShort(p) & 0xFFFF;
        }
        p += 2;
        long h;
        if (type == ETHERTYPE_IPV4 && p + 20 <= end) {
            int ihl = (buf.get(p) & 0x0F) * 4;
            int proto = buf.get(p + 9) & 0xFF;
            h = mix(buf.getInt(p + 12), buf.getInt(p + 16)) ^ proto;
            boolean firstFragment = (buf.getShort(p + 6) & 0x1FFF) == 0;
            if (firstFragment && hasPorts(proto) && ihl >= 20 && p + ihl + 4 <= end) {
                h = h * 31 + buf.getInt(p + ihl);
            }
        } else if (type == ETHERTYPE_IPV6 && p + 40 <= end) {
            int next = buf.get(p + 6) & 0xFF;
            h = next;
            for (int i = 8; i < 40; i += 8) {
                h = h * 31 + buf.getLong(p + i);
            }
            if (hasPorts(next) && p + 44 <= end) {
                h = h * 31 + buf.getInt(p + 40);
            }
        } else {
            h = (MacAddress.read(buf, offset) * 31 + MacAddress.read(buf, offset + 6)) ^ type;
        }
        return fmix(h);
    }

    private static boolean hasPorts(int proto) {
        return proto == 6 || proto == 17 || proto == 132;
    }

    /** Combines two 32-bit fields into 64 bits before the final mix. */
    private static long mix(int a, int b) {
        return ((long) a + (long) b) ^ ((long) (a ^ b) << 32);
    }

    /** The finaliser of MurmurHash3's 64-bit variant, folded to 32 bits. */
    private static int fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) (k ^ (k >>> 32));
    }
}
