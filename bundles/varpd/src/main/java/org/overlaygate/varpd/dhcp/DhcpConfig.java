package org.overlaygate.varpd.dhcp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.shell.Suggestions;

/**
 * An overlay's DHCP configuration, from its properties in the {@code dhcp} namespace, valid
 * whatever the search plugin: {@code dhcp/KEY} for the untagged network and {@code dhcp/VID/KEY}
 * for VLAN VID's, each network served when it has a {@code subnet}. Checked whole, with a one-line
 * reason for the first problem (an unknown key with the nearest known one, an address outside the
 * subnet, a range the wrong way round, an address reserved twice ...). Pure.
 */
public final class DhcpConfig {
    public static final String NAMESPACE = "dhcp";
    public static final int NO_VLAN = -1;
    static final long DEFAULT_LEASE = 3600;
    static final long MIN_LEASE = 60;
    static final long MAX_LEASE = 365L * 24 * 3600;
    /** Larger ranges are refused: the lease table is bounded by its range. */
    static final int MAX_RANGE = 65536;

    static final String SUBNET = "subnet";
    static final String RANGE = "range";
    static final String ROUTER = "router";
    static final String DNS = "dns";
    static final String DOMAIN = "domain";
    static final String LEASE = "lease";
    static final String SERVER = "server";
    static final String RESERVE = "reserve";
    static final String ROUTES = "routes";
    /** The keys, with what each takes, for the refusals and {@code dhcp:set -h}. */
    public static final Map<String, String> KEYS = keys();

    private static Map<String, String> keys() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put(SUBNET, "the network, CIDR (10.0.0.0/24): serves it");
        k.put(RANGE, "FIRST-LAST, the pool (default: the subnet but its router and server)");
        k.put(ROUTER, "the gateway, options 3 and 121 (default: the router attached to the overlay, if any)");
        k.put(DNS, "name servers, comma-separated (option 6)");
        k.put(DOMAIN, "the domain name (option 15)");
        k.put(LEASE, "seconds (option 51), " + MIN_LEASE + "-" + MAX_LEASE + ", default " + DEFAULT_LEASE);
        k.put(SERVER, "the server's own address, option 54 (default: the subnet's last usable one)");
        k.put(RESERVE, "MAC=IP,... addresses reserved for MACs");
        k.put(ROUTES, "CIDR=GATEWAY,... classless static routes (option 121)");
        return java.util.Collections.unmodifiableMap(k);
    }

    private final Map<Integer, Scope> scopes;

    private DhcpConfig(Map<Integer, Scope> scopes) {
        this.scopes = java.util.Collections.unmodifiableMap(scopes);
    }

    /** The networks served, by VLAN ({@link #NO_VLAN} for the untagged one). */
    public Map<Integer, Scope> scopes() {
        return scopes;
    }

    public boolean isEmpty() {
        return scopes.isEmpty();
    }

    /** Whether a property belongs to DHCP. */
    public static boolean isDhcpKey(String key) {
        return key.startsWith(NAMESPACE + "/");
    }

    /**
     * Parses the {@code dhcp/} properties among {@code properties} (others are ignored).
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static DhcpConfig parse(Map<String, String> properties) {
        Map<Integer, Map<String, String>> byVlan = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            if (!isDhcpKey(e.getKey())) {
                continue;
            }
            String[] parts = e.getKey().split("/", -1);
            int vlan = NO_VLAN;
            String key;
            if (parts.length == 2) {
                key = parts[1];
            } else if (parts.length == 3 && parts[1].matches("[0-9]{1,4}")) {
                vlan = Integer.parseInt(parts[1]);
                if (vlan < 1 || vlan > 4094) {
                    throw new IllegalArgumentException(e.getKey() + ": VLAN " + vlan + " is outside 1-4094");
                }
                key = parts[2];
            } else {
                throw new IllegalArgumentException("property " + e.getKey() + " is neither dhcp/KEY nor dhcp/VID/KEY");
            }
            if (!KEYS.containsKey(key)) {
                throw new IllegalArgumentException("unknown property " + e.getKey() + Suggestions.didYouMean(key, List.copyOf(KEYS.keySet()))
                        + "; dhcp's keys: " + String.join(", ", KEYS.keySet()));
            }
            byVlan.computeIfAbsent(vlan, v -> new HashMap<>()).put(key, e.getValue().trim());
        }
        Map<Integer, Scope> scopes = new TreeMap<>();
        for (Map.Entry<Integer, Map<String, String>> e : byVlan.entrySet()) {
            scopes.put(e.getKey(), scope(e.getKey(), e.getValue()));
        }
        return new DhcpConfig(scopes);
    }

    private static String key(int vlan, String key) {
        return NAMESPACE + "/" + (vlan == NO_VLAN ? "" : vlan + "/") + key;
    }

    private static Scope scope(int vlan, Map<String, String> v) {
        String subnetText = v.get(SUBNET);
        if (subnetText == null) {
            throw new IllegalArgumentException(v.keySet().stream().sorted().map(k -> key(vlan, k)).findFirst().orElse("")
                    + " is given without " + key(vlan, SUBNET) + ", the network it is for");
        }
        int[] cidr = cidr(key(vlan, SUBNET), subnetText);
        int network = cidr[0];
        int prefix = cidr[1];
        if (prefix > 30) {
            throw new IllegalArgumentException(key(vlan, SUBNET) + ": a /" + prefix + " has no room for a server and a client");
        }
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        int lastUsable = (network | ~mask) - 1;
        int router = v.containsKey(ROUTER) ? inSubnet(vlan, ROUTER, v.get(ROUTER), network, mask) : 0;
        int server;
        if (v.containsKey(SERVER)) {
            server = inSubnet(vlan, SERVER, v.get(SERVER), network, mask);
            if (server == router) {
                throw new IllegalArgumentException(key(vlan, SERVER) + ": " + format(server) + " is the router's address; the server needs its own");
            }
        } else {
            server = lastUsable == router ? lastUsable - 1 : lastUsable;
        }
        int first;
        int last;
        if (v.containsKey(RANGE)) {
            String[] r = v.get(RANGE).split("-", -1);
            if (r.length != 2) {
                throw new IllegalArgumentException(key(vlan, RANGE) + ": '" + v.get(RANGE) + "' is not FIRST-LAST (10.0.0.100-10.0.0.199)");
            }
            first = inSubnet(vlan, RANGE, r[0].trim(), network, mask);
            last = inSubnet(vlan, RANGE, r[1].trim(), network, mask);
            if (Integer.compareUnsigned(first, last) > 0) {
                throw new IllegalArgumentException(key(vlan, RANGE) + ": " + format(first) + " comes after " + format(last));
            }
            if (Integer.compareUnsigned(first, server) <= 0 && Integer.compareUnsigned(server, last) <= 0 && v.containsKey(SERVER)) {
                throw new IllegalArgumentException(key(vlan, RANGE) + " holds the server's own address " + format(server));
            }
        } else {
            first = network + 1;
            last = lastUsable;
        }
        if (Integer.toUnsignedLong(last - first) + 1 > MAX_RANGE) {
            throw new IllegalArgumentException(key(vlan, RANGE) + ": " + (Integer.toUnsignedLong(last - first) + 1)
                    + " addresses; at most " + MAX_RANGE + " are served");
        }
        List<Integer> dns = new ArrayList<>();
        if (v.containsKey(DNS)) {
            for (String s : list(v.get(DNS))) {
                dns.add(address(key(vlan, DNS), s));
            }
        }
        String domain = v.get(DOMAIN);
        if (domain != null && !domain.matches("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?")) {
            throw new IllegalArgumentException(key(vlan, DOMAIN) + ": '" + domain + "' is not a domain name");
        }
        long lease = DEFAULT_LEASE;
        if (v.containsKey(LEASE)) {
            String t = v.get(LEASE);
            if (!t.matches("[0-9]{1,9}")) {
                throw new IllegalArgumentException(key(vlan, LEASE) + ": '" + t + "' is not a number of seconds");
            }
            lease = Long.parseLong(t);
            if (lease < MIN_LEASE || lease > MAX_LEASE) {
                throw new IllegalArgumentException(key(vlan, LEASE) + ": " + lease + " is outside " + MIN_LEASE + "-" + MAX_LEASE + " seconds");
            }
        }
        Map<Long, Integer> reservations = new LinkedHashMap<>();
        Set<Integer> reserved = new HashSet<>();
        if (v.containsKey(RESERVE)) {
            for (String s : list(v.get(RESERVE))) {
                String[] kv = s.split("=", -1);
                if (kv.length != 2) {
                    throw new IllegalArgumentException(key(vlan, RESERVE) + ": '" + s + "' is not MAC=IP");
                }
                long mac;
                try {
                    mac = MacAddress.parse(kv[0].trim());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key(vlan, RESERVE) + ": '" + kv[0].trim() + "' is not a MAC address");
                }
                if (MacAddress.isGroup(mac)) {
                    throw new IllegalArgumentException(key(vlan, RESERVE) + ": " + MacAddress.format(mac) + " is not a unicast MAC");
                }
                int ip = inSubnet(vlan, RESERVE, kv[1].trim(), network, mask);
                if (ip == server || ip == router) {
                    throw new IllegalArgumentException(key(vlan, RESERVE) + ": " + format(ip) + " is the " + (ip == server ? "server's" : "router's")
                            + " address");
                }
                if (reservations.put(mac, ip) != null) {
                    throw new IllegalArgumentException(key(vlan, RESERVE) + ": " + MacAddress.format(mac) + " is given twice");
                }
                if (!reserved.add(ip)) {
                    throw new IllegalArgumentException(key(vlan, RESERVE) + ": " + format(ip) + " is reserved twice");
                }
            }
        }
        List<Scope.Route> routes = new ArrayList<>();
        if (v.containsKey(ROUTES)) {
            for (String s : list(v.get(ROUTES))) {
                String[] kv = s.split("=", -1);
                if (kv.length != 2) {
                    throw new IllegalArgumentException(key(vlan, ROUTES) + ": '" + s + "' is not CIDR=GATEWAY");
                }
                int[] c = cidr(key(vlan, ROUTES), kv[0].trim());
                int gateway = inSubnet(vlan, ROUTES, kv[1].trim(), network, mask);
                routes.add(new Scope.Route(c[0], c[1], gateway));
            }
            if (routes.size() > 25) {
                throw new IllegalArgumentException(key(vlan, ROUTES) + ": " + routes.size() + " routes; at most 25 fit option 121");
            }
        }
        return new Scope(vlan, network, prefix, first, last, router, server, dns, domain, lease, reservations, routes);
    }

    private static List<String> list(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static int inSubnet(int vlan, String key, String text, int network, int mask) {
        int a = address(key(vlan, key), text);
        if ((a & mask) != network) {
            throw new IllegalArgumentException(key(vlan, key) + ": " + format(a) + " is outside " + key(vlan, SUBNET) + " "
                    + format(network) + "/" + Integer.bitCount(mask));
        }
        int host = a & ~mask;
        if (host == 0 || host == ~mask) {
            throw new IllegalArgumentException(key(vlan, key) + ": " + format(a) + " is the subnet's " + (host == 0 ? "network" : "broadcast")
                    + " address");
        }
        return a;
    }

    /** {network, prefix} of "A.B.C.D/N", the network with its host bits clear. */
    static int[] cidr(String key, String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || !text.substring(slash + 1).matches("[0-9]{1,2}")) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not CIDR (10.0.0.0/24)");
        }
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix > 32) {
            throw new IllegalArgumentException(key + ": /" + prefix + " is not a prefix length");
        }
        int a = address(key, text.substring(0, slash));
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        if ((a & ~mask) != 0) {
            throw new IllegalArgumentException(key + ": " + text + " has host bits set (did you mean " + format(a & mask) + "/" + prefix + "?)");
        }
        return new int[] {a, prefix};
    }

    /** A dotted-quad IPv4 literal (never a name). */
    static int address(String key, String text) {
        String[] p = text.split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not an IPv4 address");
        }
        int a = 0;
        for (String s : p) {
            if (!s.matches("[0-9]{1,3}") || Integer.parseInt(s) > 255) {
                throw new IllegalArgumentException(key + ": '" + text + "' is not an IPv4 address");
            }
            a = (a << 8) | Integer.parseInt(s);
        }
        return a;
    }

    static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }
}
