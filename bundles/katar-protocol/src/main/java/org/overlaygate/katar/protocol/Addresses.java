package org.overlaygate.katar.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Addresses as katar carries them: IP addresses as 16 bytes of IPv6 (IPv4 v4-mapped,
 * {@code ::ffff:a.b.c.d}), MAC addresses as the low 48 bits of a {@code long}.
 */
public final class Addresses {
    private Addresses() {
    }

    /** The 16-byte wire form of an address. */
    public static byte[] toWire(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] out = new byte[16];
        out[10] = (byte) 0xFF;
        out[11] = (byte) 0xFF;
        System.arraycopy(raw, 0, out, 12, 4);
        return out;
    }

    /** The address of a 16-byte wire form; v4-mapped addresses come back as IPv4. */
    public static InetAddress fromWire(byte[] wire) {
        if (wire.length != 16) {
            throw new IllegalArgumentException("an address on the wire has 16 bytes, not " + wire.length);
        }
        try {
            if (isV4Mapped(wire)) {
                return InetAddress.getByAddress(Arrays.copyOfRange(wire, 12, 16));
            }
            return Inet6Address.getByAddress(null, wire, null);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** True for {@code ::ffff:a.b.c.d}. */
    public static boolean isV4Mapped(byte[] wire) {
        for (int i = 0; i < 10; i++) {
            if (wire[i] != 0) {
                return false;
            }
        }
        return wire[10] == (byte) 0xFF && wire[11] == (byte) 0xFF;
    }

    /** The VL3 type of an address: {@link Svp#VL3_IPV4} or {@link Svp#VL3_IPV6}. */
    public static int vl3Type(InetAddress address) {
        return address instanceof Inet4Address ? Svp.VL3_IPV4 : Svp.VL3_IPV6;
    }

    /**
     * Parses a literal IPv4 or IPv6 address; never resolves a name.
     *
     * @throws IllegalArgumentException with a one-line message
     */
    public static InetAddress parseIp(String text) {
        String s = text == null ? "" : text.trim();
        boolean literal = !s.isEmpty() && (s.indexOf(':') >= 0 || s.matches("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"));
        if (!literal) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(s); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    /** Formats a wire address: dotted quad for v4-mapped, RFC 5952 text for IPv6 ({@code fd00::20}). */
    public static String formatIp(byte[] wire) {
        InetAddress a = fromWire(wire);
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((wire[2 * i] & 0xFF) << 8) | (wire[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
        for (int i = 0; i < 8;) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (also {@code -} separated, and single-digit octets).
     *
     * @throws IllegalArgumentException with a one-line message
     */
    public static long parseMac(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': expected six octets like 02:08:20:aa:bb:cc");
        }
        long mac = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2 || !part.matches("[0-9a-fA-F]+")) {
                throw new IllegalArgumentException("bad MAC address '" + text + "': octet '" + part + "'");
            }
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    /** {@code aa:bb:cc:dd:ee:ff}, lower case. */
    public static String formatMac(long mac) {
        StringBuilder out = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int octet = (int) (mac >>> (8 * i)) & 0xFF;
            out.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (i > 0) {
                out.append(':');
            }
        }
        return out.toString();
    }

    /**
     * Parses a vnet id, 0 to 4294967295 (katar carries it as u32).
     *
     * @throws IllegalArgumentException with a one-line message
     */
    public static long parseVnet(String text) {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("vnet id " + text + " out of range 0-4294967295");
            }
            return v;
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("bad vnet id '" + text + "': not a number");
        }
    }

    /** Lower-case hex of bytes (log entry ids). */
    public static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return out.toString();
    }

    /** The bytes of an even-length hex string. */
    public static byte[] unhex(String hex) {
        if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) {
            throw new IllegalArgumentException("bad hex '" + hex + "'");
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
