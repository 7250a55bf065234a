package org.overlaygate.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where a frame goes on the underlay: an IP address and, for UDP encapsulations, a port (0 for
 * IP-protocol encapsulations such as NVGRE). Immutable; the socket address is created once so
 * that sending to a cached destination allocates nothing.
 */
public final class UnderlayAddress {
    private final InetAddress address;
    private final int port;
    private final InetSocketAddress socketAddress;
    private final int ipv4;

    private UnderlayAddress(InetAddress address, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 0-65535");
        }
        this.address = Objects.requireNonNull(address, "address");
        this.port = port;
        this.socketAddress = new InetSocketAddress(address, port);
        byte[] b = address.getAddress();
        this.ipv4 = b.length == 4 ? ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF) : 0;
    }

    public static UnderlayAddress of(InetAddress address, int port) {
        return new UnderlayAddress(address, port);
    }

    /**
     * Parses {@code 10.0.0.2:4789}, {@code [fd00::2]:4789}, or an address without a port (port 0).
     * Only literal addresses are accepted: the data path never resolves names.
     *
     * @throws IllegalArgumentException with an operator-readable message
     */
    public static UnderlayAddress parse(String text) {
        String s = Objects.requireNonNull(text, "text").trim();
        String host;
        int port = 0;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad underlay address '" + text + "': missing ']'");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                if (s.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad underlay address '" + text + "'");
                }
                port = parsePort(text, s.substring(close + 2));
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = parsePort(text, s.substring(s.indexOf(':') + 1));
        } else {
            host = s;
        }
        return new UnderlayAddress(parseLiteral(host), port);
    }

    /**
     * Parses a literal IPv4 or IPv6 address without any name lookup. An IPv4 part with a leading
     * zero ({@code 0177.0.0.1}) is refused: C's {@code inet_aton}, and so {@code ping} and every
     * tool built on it, reads it as octal (127.0.0.1) where Java reads decimal (177.0.0.1), so the
     * operator cannot know which host was meant.
     *
     * @throws IllegalArgumentException when the text is not a literal address
     */
    public static InetAddress parseLiteral(String text) {
        String s = text == null ? "" : text.trim();
        boolean looksLiteral = !s.isEmpty()
                && (s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
        if (!looksLiteral) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        if (s.indexOf(':') < 0) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            for (String part : parts) {
                if (part.length() > 1 && part.charAt(0) == '0') {
                    throw new IllegalArgumentException("'" + text + "' has a leading zero in '" + part
                            + "': octal to C tools, decimal to others; write the number without it");
                }
            }
        }
        try {
            return InetAddress.getByName(s); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    private static int parsePort(String text, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("bad port in '" + text + "': must be 1-65535");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "': '" + port + "' is not a number");
        }
    }

    public InetAddress address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** True for an IPv4 address. */
    public boolean isIpv4() {
        return address instanceof java.net.Inet4Address;
    }

    /**
     * An IPv4 address as a big-endian int (10.0.0.1 is 0x0A000001), computed once, for raw sockets
     * that take the address as a number; 0 for IPv6.
     */
    public int ipv4Bits() {
        return ipv4;
    }

    /** The same address as a socket address, created once. */
    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnderlayAddress && ((UnderlayAddress) o).port == port
                && ((UnderlayAddress) o).address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + port;
    }

    /** {@code 10.0.0.2:4789} or {@code [fd00::2]:4789}; the port is omitted when it is 0. */
    @Override
    public String toString() {
        if (address.getAddress().length == 4) {
            return port == 0 ? address.getHostAddress() : address.getHostAddress() + ":" + port;
        }
        String host = ipv6Text(address.getAddress());
        return port == 0 ? host : "[" + host + "]:" + port;
    }

    /**
     * An IPv6 address as RFC 5952 writes it: lower-case hex groups without leading zeros, the longest
     * run of two or more zero groups (the first, on a tie) as {@code ::}. The JDK writes every group.
     */
    static String ipv6Text(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
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
}
