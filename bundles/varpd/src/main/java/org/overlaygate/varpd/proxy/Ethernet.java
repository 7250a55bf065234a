package org.overlaygate.varpd.proxy;

import java.nio.ByteBuffer;

import org.overlaygate.api.MacAddress;

/** The Ethernet header of a frame, with at most one 802.1Q tag; or why it could not be read. */
final class Ethernet {
    static final int ARP = 0x0806;
    static final int IPV6 = 0x86DD;
    private static final int TPID_8021Q = 0x8100;
    private static final int TPID_8021AD = 0x88A8;
    private static final int TPID_QINQ_LEGACY = 0x9100;

    final long destination;
    final long source;
    /** The tag control information, or {@link AddressQuery#UNTAGGED}. */
    final int tci;
    final int type;
    /** Index of the first octet after the header. */
    final int payload;
    /** Why the header is refused; null when it is good. */
    final String refusal;

    private Ethernet(long destination, long source, int tci, int type, int payload, String refusal) {
        this.destination = destination;
        this.source = source;
        this.tci = tci;
        this.type = type;
        this.payload = payload;
        this.refusal = refusal;
    }

    private static Ethernet refused(String reason) {
        return new Ethernet(0, 0, AddressQuery.UNTAGGED, 0, 0, reason);
    }

    /** Reads the header of a frame given as by {@link Wire#view}. */
    static Ethernet read(ByteBuffer f) {
        if (f.limit() < 14) {
            return refused(Refusal.ETH_TRUNCATED);
        }
        int type = Wire.u16(f, 12);
        int tci = AddressQuery.UNTAGGED;
        int payload = 14;
        if (type == TPID_8021Q) {
            if (f.limit() < 18) {
                return refused(Refusal.ETH_TRUNCATED);
            }
            tci = Wire.u16(f, 14);
            type = Wire.u16(f, 16);
            payload = 18;
        }
        if (type == TPID_8021Q || type == TPID_8021AD || type == TPID_QINQ_LEGACY) {
            return refused(Refusal.ETH_VLAN_UNSUPPORTED);
        }
        long source = MacAddress.read(f, 6);
        if (MacAddress.isGroup(source)) {
            return refused(Refusal.ETH_SRC_GROUP);
        }
        return new Ethernet(MacAddress.read(f, 0), source, tci, type, payload, null);
    }

    /** {@link #read(ByteBuffer)}, refused with {@code otherType} when the ethertype is not {@code type}. */
    static Ethernet read(ByteBuffer f, int type, String otherType) {
        Ethernet eth = read(f);
        return eth.refusal != null || eth.type == type ? eth : refused(otherType);
    }

    /** The header's length with this tag control information. */
    static int length(int tci) {
        return tci == AddressQuery.UNTAGGED ? 14 : 18;
    }

    /** Writes a header at the start of {@code out}; returns the index of the payload. */
    static int write(byte[] out, long destination, long source, int tci, int type) {
        MacAddress.write(out, 0, destination);
        MacAddress.write(out, 6, source);
        int at = 12;
        if (tci != AddressQuery.UNTAGGED) {
            Wire.put16(out, 12, TPID_8021Q);
            Wire.put16(out, 14, tci);
            at = 16;
        }
        Wire.put16(out, at, type);
        return at + 2;
    }
}
