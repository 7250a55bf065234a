package org.overlaygate.search.katar;

import org.overlaygate.api.property.PropertyException;
import org.overlaygate.katar.protocol.Addresses;

/**
 * A katar server as {@code katar/host} and {@code katar/port} name it: {@code HOST} (a name, an
 * IPv4 or an IPv6 address, bare or in brackets) with {@code katar/port}, or {@code HOST:PORT} and
 * {@code [IPv6]:PORT}, whose port replaces {@code katar/port}'s default. A port in both that
 * differs is refused, as is anything else that is no host: one line each, at {@code overlay:create}.
 *
 * @param host the name or address, without brackets
 * @param port the TCP port
 */
record ServerAddress(String host, int port) {

    /**
     * @param text {@code katar/host} as given
     * @param port {@code katar/port} (its default when not given)
     * @param portGiven whether {@code katar/port} was given
     */
    static ServerAddress parse(String text, int port, boolean portGiven) throws PropertyException {
        String s = text == null ? "" : text.trim();
        String host;
        String portText = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw bad(text, "has a '[' without its ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw bad(text, "has '" + rest + "' after the ']'");
                }
                portText = rest.substring(1);
            }
            if (!isIpv6(host)) {
                throw bad(text, "has '" + host + "' in brackets, which is not an IPv6 address");
            }
        } else {
            int colons = (int) s.chars().filter(c -> c == ':').count();
            if (colons == 1) {
                int at = s.indexOf(':');
                host = s.substring(0, at);
                portText = s.substring(at + 1);
            } else {
                host = s;
                if (colons > 1 && !isIpv6(host)) {
                    throw bad(text, "is not an IPv6 address (with a port, an IPv6 address is written [ADDRESS]:PORT)");
                }
            }
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == ',' || c == '[' || c == ']')) {
            throw bad(text, "is not a host name or address");
        }
        if (portText == null) {
            return new ServerAddress(host, port);
        }
        int inHost = portOf(text, portText);
        if (portGiven && inHost != port) {
            throw new PropertyException(KatarSearchPlugin.HOST + " names port " + inHost + " but " + KatarSearchPlugin.PORT + " is " + port
                    + ": give the port once");
        }
        return new ServerAddress(host, inHost);
    }

    private static int portOf(String text, String digits) throws PropertyException {
        if (!digits.matches("[0-9]{1,5}")) {
            throw bad(text, "has no port after the ':' (HOST:PORT or [IPv6]:PORT, a port 1-65535)");
        }
        int p = Integer.parseInt(digits);
        if (p < 1 || p > 65535) {
            throw bad(text, "has port " + p + ", out of range 1-65535");
        }
        return p;
    }

    private static boolean isIpv6(String s) {
        if (s.indexOf(':') < 0) {
            return false;
        }
        try {
            Addresses.parseIp(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static PropertyException bad(String text, String why) {
        return new PropertyException(KatarSearchPlugin.HOST + ": '" + text + "' " + why);
    }

    /** {@code host:port}, brackets around an IPv6 address. */
    String label() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
