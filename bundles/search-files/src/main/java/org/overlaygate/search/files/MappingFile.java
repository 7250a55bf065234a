package org.overlaygate.search.files;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.DhcpHint;

/**
 * Reads a mapping file in the format of illumos' {@code overlay_files(5)}: one JSON object keyed by
 * MAC address, each value an object with {@code ip} (the underlay address of the host where the
 * MAC lives, required), {@code port} (its UDP port: required over a UDP encapsulation, refused over
 * an IP one), {@code arp} (an overlay IPv4 address answered for ARP) and {@code ndp} (an overlay
 * IPv6 address answered for neighbour solicitations):
 *
 * <pre>
 * {
 *   "02:08:20:00:00:01": { "ip": "10.88.0.1", "port": 6081, "arp": "192.168.100.1", "ndp": "fd00::1" },
 *   "02:08:20:00:00:02": { "ip": "10.88.0.2", "port": 6081, "arp": "192.168.100.2" }
 * }
 * </pre>
 *
 * Everything else is refused with the line and what is wrong, never ignored: an unknown key (a
 * typo must not silently drop a mapping), a MAC given twice (also spelt differently), a group MAC,
 * an address of the wrong family or one two MACs claim. Gson's strict streaming reader does the
 * lexing, so bad JSON is reported where the reader stopped; the lines come from its position.
 */
final class MappingFile {
    /** Larger files are refused before they are read. */
    static final long MAX_BYTES = 16L << 20;
    private static final Pattern LOCATION = Pattern.compile(" at line (\\d+) column \\d+");
    private static final String KNOWN = "known: arp, dhcp, dhcp-proxy, ip, ndp, port";

    /** What the overlay's underlay says about destinations: whether they carry a port, and their IP version; null when not known yet. */
    static final class Underlay {
        static final Underlay UNKNOWN = new Underlay(null, null);
        final Boolean udp;
        final Boolean ipv4;

        Underlay(Boolean udp, Boolean ipv4) {
            this.udp = udp;
            this.ipv4 = ipv4;
        }

        /** From the overlay's own underlay address ({@code null} while its encapsulation is not bound). */
        static Underlay of(UnderlayAddress self) {
            return self == null ? UNKNOWN : new Underlay(self.port() != 0, self.isIpv4());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Underlay && Objects.equals(udp, ((Underlay) o).udp) && Objects.equals(ipv4, ((Underlay) o).ipv4);
        }

        @Override
        public int hashCode() {
            return Objects.hash(udp, ipv4);
        }
    }

    private final JsonReader reader;
    private final Underlay underlay;
    private final Map<Long, UnderlayAddress> destinations = new HashMap<>();
    private final Map<Long, Integer> macLines = new HashMap<>();
    private final Map<InetAddress, Long> addresses = new HashMap<>();
    private final Map<InetAddress, Integer> addressLines = new HashMap<>();
    private final Map<Long, DhcpHint> dhcp = new HashMap<>();
    private final Map<InetAddress, Long> dhcpAddresses = new HashMap<>();

    private MappingFile(String text, Underlay underlay) {
        this.reader = new JsonReader(new StringReader(text));
        this.reader.setStrictness(Strictness.STRICT);
        this.underlay = underlay;
    }

    /**
     * @throws MappingException with the line and reason of the first problem
     */
    static Mapping parse(String text, Underlay underlay) throws MappingException {
        if (text.isBlank()) {
            throw new MappingException(0, "the file is empty (an empty mapping is {})");
        }
        MappingFile f = new MappingFile(text, underlay);
        try {
            return f.document();
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw fromGson(e);
        }
    }

    private Mapping document() throws IOException, MappingException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new MappingException(line(), "the file must be one JSON object keyed by MAC address, not " + what(reader.peek()));
        }
        reader.beginObject();
        while (reader.hasNext()) {
            entry();
        }
        reader.endObject();
        int end = line();
        boolean more;
        try {
            more = reader.peek() != JsonToken.END_DOCUMENT;
        } catch (IOException e) { // strict Gson refuses a second document outright
            more = true;
        }
        if (more) {
            throw new MappingException(end, "more after the object that ends here");
        }
        return new Mapping(destinations, addresses, dhcp);
    }

    private void entry() throws IOException, MappingException {
        String key = reader.nextName();
        int line = line();
        long mac;
        try {
            mac = MacAddress.parse(key);
        } catch (IllegalArgumentException e) {
            throw new MappingException(line, "\"" + key + "\" is not a MAC address (" + e.getMessage() + ")");
        }
        String name = MacAddress.format(mac);
        if (MacAddress.isGroup(mac)) {
            throw new MappingException(line, name + " is a group (broadcast or multicast) address: only unicast MACs are mapped");
        }
        Integer first = macLines.putIfAbsent(mac, line);
        if (first != null) {
            throw new MappingException(line, name + " is given twice (first on line " + first + ")");
        }
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new MappingException(line, "the value of " + name + " must be an object like {\"ip\": \"10.0.0.1\", \"port\": 6081}, not "
                    + what(reader.peek()));
        }
        reader.beginObject();
        InetAddress ip = null;
        Inet4Address reserved = null;
        long proxy = 0;
        int port = 0;
        boolean hasPort = false;
        Map<String, Integer> seen = new HashMap<>();
        while (reader.hasNext()) {
            String member = reader.nextName();
            int at = line();
            Integer before = seen.putIfAbsent(member, at);
            if (before != null) {
                throw new MappingException(at, "\"" + member + "\" of " + name + " is given twice (first on line " + before + ")");
            }
            switch (member) {
                case "ip":
                    ip = underlayIp(name, address(name, member));
                    break;
                case "port":
                    port = port(name);
                    hasPort = true;
                    break;
                case "arp":
                    claim(name, mac, at, address(name, member), Inet4Address.class, "an IPv4 address");
                    break;
                case "ndp":
                    claim(name, mac, at, address(name, member), Inet6Address.class, "an IPv6 address");
                    break;
                case "dhcp":
                    reserved = reservation(name, mac, at, address(name, member));
                    break;
                case "dhcp-proxy":
                    proxy = proxyMac(name, at);
                    break;
                default:
                    throw new MappingException(at, "unknown key \"" + member + "\" in " + name + " (" + KNOWN + ")");
            }
        }
        reader.endObject();
        if (ip == null) {
            throw new MappingException(line, name + " has no \"ip\": the underlay address of the host where it lives");
        }
        if (Boolean.TRUE.equals(underlay.udp) && !hasPort) {
            throw new MappingException(line, name + " has no \"port\": the overlay's encapsulation runs over UDP");
        }
        if (Boolean.FALSE.equals(underlay.udp) && hasPort) {
            throw new MappingException(seen.get("port"), "\"port\" of " + name
                    + " has no use: the overlay's encapsulation runs over IP, without ports");
        }
        destinations.put(mac, UnderlayAddress.of(ip, port));
        if (reserved != null || proxy != 0) {
            dhcp.put(mac, new DhcpHint(reserved, proxy));
        }
    }

    /** {@code dhcp}: the IPv4 address the overlay's DHCP server gives this MAC, no other MAC's. */
    private Inet4Address reservation(String name, long mac, int line, InetAddress a) throws MappingException {
        if (!(a instanceof Inet4Address) || a.isMulticastAddress() || a.isAnyLocalAddress()) {
            throw new MappingException(line, "\"dhcp\" of " + name + ": " + a.getHostAddress() + " is not a unicast IPv4 address");
        }
        Long owner = dhcpAddresses.putIfAbsent(a, mac);
        if (owner != null) {
            throw new MappingException(line, "\"dhcp\" of " + name + ": " + a.getHostAddress() + " is already reserved for "
                    + MacAddress.format(owner));
        }
        return (Inet4Address) a;
    }

    /** {@code dhcp-proxy}: the unicast MAC of the DHCP server this MAC's DHCP broadcasts go to (illumos' DHCP proxy). */
    private long proxyMac(String name, int line) throws IOException, MappingException {
        if (reader.peek() != JsonToken.STRING) {
            throw new MappingException(line(), "\"dhcp-proxy\" of " + name + " must be a string like \"02:08:20:00:00:fe\", not "
                    + what(reader.peek()));
        }
        String text = reader.nextString();
        long server;
        try {
            server = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MappingException(line, "\"dhcp-proxy\" of " + name + ": \"" + text + "\" is not a MAC address");
        }
        if (MacAddress.isGroup(server)) {
            throw new MappingException(line, "\"dhcp-proxy\" of " + name + ": " + MacAddress.format(server) + " is not a unicast MAC");
        }
        return server;
    }

    /** A string member holding a literal IP address (no name is ever looked up). */
    private InetAddress address(String name, String member) throws IOException, MappingException {
        if (reader.peek() != JsonToken.STRING) {
            throw new MappingException(line(), "\"" + member + "\" of " + name + " must be a string like \"" + example(member)
                    + "\", not " + what(reader.peek()));
        }
        String text = reader.nextString();
        try {
            return UnderlayAddress.parseLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new MappingException(line(), "\"" + member + "\" of " + name + ": " + e.getMessage());
        }
    }

    private InetAddress underlayIp(String name, InetAddress ip) throws MappingException {
        if (ip.isMulticastAddress() || ip.isAnyLocalAddress()) {
            throw new MappingException(line(), "\"ip\" of " + name + ": " + ip.getHostAddress() + " is not a unicast address");
        }
        if (underlay.ipv4 != null && underlay.ipv4 != (ip instanceof Inet4Address)) {
            throw new MappingException(line(), "\"ip\" of " + name + ": " + ip.getHostAddress() + " is IPv" + (underlay.ipv4 ? "6" : "4")
                    + " but the overlay's underlay is IPv" + (underlay.ipv4 ? "4" : "6"));
        }
        return ip;
    }

    private int port(String name) throws IOException, MappingException {
        if (reader.peek() != JsonToken.NUMBER) {
            throw new MappingException(line(), "\"port\" of " + name + " must be a number like 6081, not " + what(reader.peek()));
        }
        String text = reader.nextString();
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new MappingException(line(), "\"port\" of " + name + ": " + text + " is not a port (1-65535)");
        }
        return Integer.parseInt(text);
    }

    /** An overlay address answered by proxy for {@code mac}: of the member's family, and no other MAC's. */
    private void claim(String name, long mac, int line, InetAddress a, Class<? extends InetAddress> family, String what)
            throws MappingException {
        String member = family == Inet4Address.class ? "arp" : "ndp";
        if (!family.isInstance(a)) {
            throw new MappingException(line, "\"" + member + "\" of " + name + ": " + a.getHostAddress() + " is not " + what);
        }
        if (a.isMulticastAddress() || a.isAnyLocalAddress()) {
            throw new MappingException(line, "\"" + member + "\" of " + name + ": " + a.getHostAddress() + " is not a unicast address");
        }
        Long owner = addresses.putIfAbsent(a, mac);
        if (owner != null) {
            throw new MappingException(line, "\"" + member + "\" of " + name + ": " + a.getHostAddress() + " is already "
                    + MacAddress.format(owner) + "'s (line " + addressLines.get(a) + ")");
        }
        addressLines.put(a, line);
    }

    private static String example(String member) {
        switch (member) {
            case "arp":
                return "192.168.100.1";
            case "ndp":
                return "fd00::1";
            default:
                return "10.88.0.1";
        }
    }

    private static String what(JsonToken token) {
        switch (token) {
            case BEGIN_ARRAY:
                return "an array";
            case BEGIN_OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "true or false";
            case NULL:
                return "null";
            case END_DOCUMENT:
                return "the end of the file";
            default:
                return token.toString();
        }
    }

    /** The 1-based line the reader has reached: just after the last token it returned. */
    private int line() {
        Matcher m = LOCATION.matcher(reader.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Gson's own complaint, without its troubleshooting link, and with its line taken out of the text. */
    private static MappingException fromGson(Exception e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int see = msg.indexOf("\nSee ");
        msg = (see >= 0 ? msg.substring(0, see) : msg).replace('\n', ' ');
        Matcher m = LOCATION.matcher(msg);
        int line = 0;
        if (m.find()) {
            line = Integer.parseInt(m.group(1));
            msg = msg.substring(0, m.start()).trim();
        }
        if (msg.contains("setStrictness")) { // Gson's advice to be lenient: not for a file that must be exact
            msg = "not strict JSON (a comment, single quotes, an unquoted name or value, or a stray separator?)";
        }
        if (msg.equals("Expected name")) {
            msg = "expected a quoted key here (a comma too many before it?)";
        }
        if (e instanceof EOFException || msg.startsWith("End of input")) {
            msg = "the file ends before the JSON does";
        }
        return new MappingException(line, "bad JSON: " + msg);
    }
}
