package org.overlaygate.katar.server.store;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.server.json.Json;

/**
 * The {@code katar:import} document, checked completely before anything is written:
 *
 * <pre>
 * {
 *   "vnets":    [ { "id": 42, "name": "blue" } ],
 *   "hosts":    [ { "id": "cn1", "ip": "10.88.0.1", "port": 4789 } ],
 *   "mappings": [ { "vnet": 42, "mac": "02:08:20:00:00:01", "host": "cn1",
 *                   "vlan": 0, "ips": [ "192.168.1.10", "fd00::10" ] } ]
 * }
 * </pre>
 *
 * Every member is optional except a host's id and ip and a mapping's vnet, mac and host; "port"
 * defaults to 4789, "vlan" to 0, "ips" to none. A mapping's "ips" is its whole IP list. Unknown
 * members are errors (a typo must not be silently ignored). Importing adds and updates; it never
 * deletes what the document does not mention.
 */
public record ImportDocument(List<Vnet> vnets, List<Host> hosts, List<Mapping> mappings) {
    public static final int DEFAULT_PORT = 4789;

    public record Vnet(String path, long id, String name) {
    }

    public record Host(String path, String id, InetAddress ip, int port) {
    }

    public record Mapping(String path, long vnetId, long mac, String host, int vlan, List<InetAddress> ips) {
    }

    /**
     * @throws IllegalArgumentException one line naming where in the document the problem is
     */
    public static ImportDocument parse(String text) {
        Object root = Json.parse(text);
        Map<String, Object> doc = object(root, "the document");
        known(doc, "the document", Set.of("vnets", "hosts", "mappings"));
        List<Vnet> vnets = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        List<Mapping> mappings = new ArrayList<>();
        List<Object> list = array(doc.get("vnets"), "vnets");
        for (int i = 0; i < list.size(); i++) {
            String path = "vnets[" + i + "]";
            Map<String, Object> o = object(list.get(i), path);
            known(o, path, Set.of("id", "name"));
            vnets.add(new Vnet(path, vnet(required(o, "id", path), path + ".id"), optionalString(o, "name", path)));
        }
        list = array(doc.get("hosts"), "hosts");
        for (int i = 0; i < list.size(); i++) {
            String path = "hosts[" + i + "]";
            Map<String, Object> o = object(list.get(i), path);
            known(o, path, Set.of("id", "ip", "port"));
            String id = string(required(o, "id", path), path + ".id");
            InetAddress ip = ip(required(o, "ip", path), path + ".ip");
            int port = o.containsKey("port") ? (int) integer(o.get("port"), path + ".port", 1, 65535) : DEFAULT_PORT;
            hosts.add(new Host(path, id, ip, port));
        }
        list = array(doc.get("mappings"), "mappings");
        for (int i = 0; i < list.size(); i++) {
            String path = "mappings[" + i + "]";
            Map<String, Object> o = object(list.get(i), path);
            known(o, path, Set.of("vnet", "mac", "host", "vlan", "ips"));
            long vnet = vnet(required(o, "vnet", path), path + ".vnet");
            long mac;
            try {
                mac = Addresses.parseMac(string(required(o, "mac", path), path + ".mac"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ".mac: " + e.getMessage());
            }
            String host = string(required(o, "host", path), path + ".host");
            int vlan = o.containsKey("vlan") ? (int) integer(o.get("vlan"), path + ".vlan", 0, 4095) : 0;
            List<InetAddress> ips = new ArrayList<>();
            List<Object> ipList = array(o.get("ips"), path + ".ips");
            for (int k = 0; k < ipList.size(); k++) {
                ips.add(ip(ipList.get(k), path + ".ips[" + k + "]"));
            }
            mappings.add(new Mapping(path, vnet, mac, host, vlan, ips));
        }
        return new ImportDocument(vnets, hosts, mappings);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String path) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(path + ": expected an object");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> array(Object o, String path) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List)) {
            throw new IllegalArgumentException(path + ": expected an array");
        }
        return (List<Object>) o;
    }

    private static void known(Map<String, Object> o, String path, Set<String> names) {
        for (String k : o.keySet()) {
            if (!names.contains(k)) {
                throw new IllegalArgumentException(path + ": unknown member \"" + k + "\" (known: " + String.join(", ", new java.util.TreeSet<>(names)) + ")");
            }
        }
    }

    private static Object required(Map<String, Object> o, String name, String path) {
        Object v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException(path + ": \"" + name + "\" is missing");
        }
        return v;
    }

    private static String string(Object o, String path) {
        if (!(o instanceof String)) {
            throw new IllegalArgumentException(path + ": expected a string");
        }
        return (String) o;
    }

    private static String optionalString(Map<String, Object> o, String name, String path) {
        return o.get(name) == null ? null : string(o.get(name), path + "." + name);
    }

    private static long integer(Object o, String path, long min, long max) {
        if (!(o instanceof BigDecimal)) {
            throw new IllegalArgumentException(path + ": expected a number");
        }
        try {
            long v = ((BigDecimal) o).longValueExact();
            if (v < min || v > max) {
                throw new IllegalArgumentException(path + ": " + v + " is out of range " + min + "-" + max);
            }
            return v;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(path + ": " + o + " is not a whole number in range " + min + "-" + max);
        }
    }

    private static long vnet(Object o, String path) {
        return integer(o, path, 0, 0xFFFF_FFFFL);
    }

    private static InetAddress ip(Object o, String path) {
        try {
            return Addresses.parseIp(string(o, path));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(path) ? e.getMessage() : path + ": " + e.getMessage());
        }
    }
}
