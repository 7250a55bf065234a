package org.overlaygate.varpd.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.overlaygate.api.MacAddress;

/** Reading and writing the fields of frames, and the address and answer rules both codecs share. */
final class Wire {
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private Wire() {
    }

    /** The frame between position and limit, indexed from 0, big-endian; the caller's buffer is not moved. */
    static ByteBuffer view(ByteBuffer frame) {
        return frame.slice().order(ByteOrder.BIG_ENDIAN);
    }

    static int u8(ByteBuffer f, int index) {
        return f.get(index) & 0xFF;
    }

    static int u16(ByteBuffer f, int index) {
        return f.getShort(index) & 0xFFFF;
    }

    static byte[] bytes(ByteBuffer f, int index, int length) {
        byte[] out = new byte[length];
        f.get(index, out);
        return out;
    }

    static void put16(byte[] out, int index, int value) {
        out[index] = (byte) (value >>> 8);
        out[index + 1] = (byte) value;
    }

    static Inet4Address inet4(byte[] address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 octets are an IPv4 address", e);
        }
    }

    /** An Inet6Address even for IPv4-mapped addresses, which InetAddress.getByAddress would turn into IPv4. */
    static Inet6Address inet6(byte[] address) {
        try {
            return Inet6Address.getByAddress(null, address, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 octets are an IPv6 address", e);
        }
    }

    /** A MAC a station can have: 48 bits, not zero, not a group address. */
    static boolean stationMac(long mac) {
        return (mac & ~MAC_MASK) == 0 && mac != 0 && !MacAddress.isGroup(mac);
    }

    static boolean validTci(int tci) {
        return tci == AddressQuery.UNTAGGED || (tci >= 0 && tci <= 0xFFFF);
    }

    /** Why {@code query} must not be answered with {@code answeredMac}; null when it may. */
    static String refusalToAnswer(AddressQuery query, long answeredMac) {
        if (!query.kind().proxied()) {
            return Refusal.NOT_PROXIED;
        }
        if (!stationMac(answeredMac)) {
            return Refusal.BAD_MAC;
        }
        return answeredMac == query.requesterMac() ? Refusal.ANSWER_IS_REQUESTER : null;
    }

    /** Why an announcement with this tag and MAC cannot be built; null when it can. */
    static String refusalToAnnounce(int tci, long mac) {
        if (!validTci(tci)) {
            return Refusal.BAD_TCI;
        }
        return stationMac(mac) ? null : Refusal.BAD_MAC;
    }

    /** The checks of the query records' constructors. */
    static void requireComponents(int tci, long mac) {
        if (!validTci(tci)) {
            throw new IllegalArgumentException("tci " + tci + " is neither -1 (untagged) nor within 0..0xFFFF");
        }
        if ((mac & ~MAC_MASK) != 0) {
            throw new IllegalArgumentException("MAC 0x" + Long.toHexString(mac) + " is wider than 48 bits");
        }
    }

    /** An IPv4 address that may stand in an ARP sender field: not multicast, limited broadcast or loopback (0.0.0.0 may: probes). */
    static boolean ipv4Sender(int address) {
        return !ipv4Multicast(address) && address != -1 && !ipv4Loopback(address);
    }

    /** An IPv4 address a host may have: also not 0.0.0.0. */
    static boolean ipv4Host(int address) {
        return address != 0 && ipv4Sender(address);
    }

    private static boolean ipv4Multicast(int address) {
        return (address >>> 28) == 0xE;
    }

    private static boolean ipv4Loopback(int address) {
        return (address >>> 24) == 127;
    }

    static int ipv4(byte[] address) {
        return ByteBuffer.wrap(address).getInt();
    }

    static boolean ipv6Multicast(byte[] address) {
        return address[0] == (byte) 0xFF;
    }

    static boolean ipv6Unspecified(byte[] address) {
        for (byte b : address) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean ipv6Loopback(byte[] address) {
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    /** An IPv6 address a host may have: not unspecified, multicast or loopback. */
    static boolean ipv6Host(byte[] address) {
        return !ipv6Unspecified(address) && !ipv6Multicast(address) && !ipv6Loopback(address);
    }

    /** ff02::1:ff00:0/104 (RFC 4291 §2.7.1). */
    static boolean solicitedNode(byte[] address) {
        if (address[0] != (byte) 0xFF || address[1] != 0x02) {
            return false;
        }
        for (int i = 2; i < 11; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[11] == 1 && address[12] == (byte) 0xFF;
    }
}
