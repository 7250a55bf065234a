package org.overlaygate.api;

import java.nio.ByteBuffer;

/**
 * MAC addresses held as the low 48 bits of a {@code long}, so that the data path can key maps and
 * compare addresses without allocating. The first octet on the wire is the most significant byte.
 */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    private MacAddress() {
    }

    /** Reads six octets at an absolute index of a buffer, without moving its position. */
    public static long read(ByteBuffer buf, int index) {
        return ((buf.getInt(index) & 0xFFFF_FFFFL) << 16) | (buf.getShort(index + 4) & 0xFFFFL);
    }

    /** Writes six octets at an absolute index of a buffer, without moving its position. */
    public static void write(ByteBuffer buf, int index, long mac) {
        buf.putInt(index, (int) (mac >>> 16));
        buf.putShort(index + 4, (short) mac);
    }

    /** Reads six octets from an array. */
    public static long read(byte[] bytes, int offset) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (bytes[offset + i] & 0xFF);
        }
        return mac;
    }

    /** Writes six octets into an array. */
    public static void write(byte[] bytes, int offset, long mac) {
        for (int i = 5; i >= 0; i--) {
            bytes[offset + i] = (byte) mac;
            mac >>>= 8;
        }
    }

    /** True for group addresses (broadcast and multicast): the I/G bit of the first octet. */
    public static boolean isGroup(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** True for ff:ff:ff:ff:ff:ff. */
    public static boolean isBroadcast(long mac) {
        return (mac & MASK) == BROADCAST;
    }

    /** True for locally administered addresses (the U/L bit of the first octet). */
    public static boolean isLocallyAdministered(long mac) {
        return (mac & 0x0200_0000_0000L) != 0;
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (also with {@code -} separators, and with single-digit
     * octets as illumos prints them, {@code 2:8:20:1:2:3}).
     *
     * @throws IllegalArgumentException with a message fit for an operator when the text is not a
     *     MAC address
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing MAC address");
        }
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': expected six octets like 02:08:20:aa:bb:cc");
        }
        long mac = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                throw new IllegalArgumentException("bad MAC address '" + text + "': octet '" + part + "'");
            }
            int octet;
            try {
                octet = Integer.parseInt(part, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad MAC address '" + text + "': octet '" + part + "' is not hexadecimal");
            }
            mac = (mac << 8) | octet;
        }
        return mac;
    }

    /** Formats as {@code aa:bb:cc:dd:ee:ff}, lower case, two digits per octet. */
    public static String format(long mac) {
        char[] out = new char[17];
        for (int i = 0; i < 6; i++) {
            int octet = (int) (mac >>> (8 * (5 - i))) & 0xFF;
            out[i * 3] = Character.forDigit(octet >>> 4, 16);
            out[i * 3 + 1] = Character.forDigit(octet & 0xF, 16);
            if (i < 5) {
                out[i * 3 + 2] = ':';
            }
        }
        return new String(out);
    }
}
