package org.overlaygate.router;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.overlaygate.api.MacAddress;

/**
 * A router as the operator defined it, immutable, and its form in ConfigAdmin: {@code name},
 * {@code mac}, {@code ports} ({@code OVERLAY MAC ADDRESS/PREFIX ...} each) and {@code routes}
 * ({@code PREFIX via NEXTHOP} or {@code PREFIX blackhole} each).
 */
final class RouterDefinition {
    static final String FACTORY_PID = "org.overlaygate.router";
    static final String NAME = "router.name";
    static final String MAC = "router.mac";
    static final String PORTS = "router.ports";
    static final String ROUTES = "router.routes";
    static final String NATS = "router.nat";
    static final String MASQUERADES = "router.snat";

    /**
     * One port: an overlay, the MAC the router has there, and its addresses on it; or the uplink,
     * a host interface (its {@code overlay} is {@code uplink:INTERFACE}, which no overlay's name can
     * be) with an optional gateway, where {@code PREFIX uplink} routes lead.
     */
    static final class PortDefinition {
        static final String UPLINK = "uplink:";
        final String overlay;
        final long mac;
        final List<Prefix> addresses;
        /** The uplink's host interface; {@code null} for a port on an overlay. */
        final String hostInterface;
        /** The uplink's gateway, where {@code uplink} routes lead, or {@code null} (the uplink then reaches its subnet only). */
        final Prefix gateway;

        PortDefinition(String overlay, long mac, List<Prefix> addresses) {
            this(overlay, mac, addresses, null, null);
        }

        private PortDefinition(String overlay, long mac, List<Prefix> addresses, String hostInterface, Prefix gateway) {
            this.overlay = overlay;
            this.mac = mac;
            this.addresses = List.copyOf(addresses);
            this.hostInterface = hostInterface;
            this.gateway = gateway;
        }

        static PortDefinition uplink(String hostInterface, long mac, List<Prefix> addresses, Prefix gateway) {
            if (gateway != null && gateway.writtenLength() != (gateway.isV4() ? 32 : 128)) {
                throw new IllegalArgumentException("bad gateway '" + gateway + "': an address");
            }
            return new PortDefinition(UPLINK + hostInterface, mac, addresses, hostInterface, gateway);
        }

        boolean isUplink() {
            return hostInterface != null;
        }

        String spec() {
            StringBuilder s = new StringBuilder(overlay).append(' ').append(MacAddress.format(mac));
            for (Prefix p : addresses) {
                s.append(' ').append(p);
            }
            if (gateway != null) {
                s.append(" gw ").append(gateway.address());
            }
            return s.toString();
        }

        static PortDefinition parse(String spec) {
            String[] w = spec.trim().split("\\s+");
            int end = w.length;
            Prefix gateway = null;
            if (end >= 2 && w[end - 2].equals("gw")) {
                gateway = Prefix.parse(w[end - 1]);
                end -= 2;
            }
            if (end < 3) {
                throw new IllegalArgumentException("bad port '" + spec + "'");
            }
            List<Prefix> a = new ArrayList<>();
            for (int i = 2; i < end; i++) {
                a.add(Prefix.parse(w[i]));
            }
            long mac = MacAddress.parse(w[1]);
            if (w[0].startsWith(UPLINK)) {
                return uplink(w[0].substring(UPLINK.length()), mac, a, gateway);
            }
            if (gateway != null) {
                throw new IllegalArgumentException("bad port '" + spec + "': only the uplink has a gateway");
            }
            return new PortDefinition(w[0], mac, a);
        }

        boolean sameAs(PortDefinition o) {
            return overlay.equals(o.overlay) && mac == o.mac && addresses.equals(o.addresses) && java.util.Objects.equals(gateway, o.gateway);
        }
    }

    /** A static, blackhole or uplink route as given. */
    static final class RouteSpec {
        final Prefix prefix;
        /** {@code null} for a blackhole or an uplink route. */
        final Prefix via;
        /** To the uplink's gateway. */
        final boolean uplink;

        RouteSpec(Prefix prefix, Prefix via) {
            this(prefix, via, false);
        }

        private RouteSpec(Prefix prefix, Prefix via, boolean uplink) {
            this.prefix = prefix.network();
            this.via = via;
            this.uplink = uplink;
        }

        static RouteSpec toUplink(Prefix prefix) {
            return new RouteSpec(prefix, null, true);
        }

        boolean isBlackhole() {
            return via == null && !uplink;
        }

        String spec() {
            return prefix + (uplink ? " uplink" : via == null ? " blackhole" : " via " + via.address());
        }

        static RouteSpec parse(String spec) {
            String[] w = spec.trim().split("\\s+");
            if (w.length == 2 && w[1].equals("blackhole")) {
                return new RouteSpec(Prefix.parse(w[0]), null);
            }
            if (w.length == 2 && w[1].equals("uplink")) {
                return toUplink(Prefix.parse(w[0]));
            }
            if (w.length == 3 && w[1].equals("via")) {
                Prefix p = Prefix.parse(w[0]);
                Prefix via = Prefix.parse(w[2]);
                if (p.isV4() != via.isV4() || via.writtenLength() != (via.isV4() ? 32 : 128)) {
                    throw new IllegalArgumentException("bad next hop '" + w[2] + "' for " + p);
                }
                return new RouteSpec(p, via);
            }
            throw new IllegalArgumentException("bad route '" + spec + "': PREFIX via NEXTHOP, PREFIX blackhole or PREFIX uplink");
        }
    }

    /** A 1:1 address translation ("elastic IP"): PUBLIC, on one port's subnet, stands for INSIDE, on another's. IPv4. */
    static final class NatSpec {
        final Prefix publicAddress;
        final Prefix inside;

        NatSpec(Prefix publicAddress, Prefix inside) {
            if (!publicAddress.isV4() || !inside.isV4() || publicAddress.writtenLength() != 32 || inside.writtenLength() != 32) {
                throw new IllegalArgumentException("1:1 NAT maps one IPv4 address to another: " + publicAddress + " " + inside);
            }
            this.publicAddress = publicAddress;
            this.inside = inside;
        }

        String spec() {
            return publicAddress.address() + " " + inside.address();
        }

        static NatSpec parse(String spec) {
            String[] w = spec.trim().split("\\s+");
            if (w.length != 2) {
                throw new IllegalArgumentException("bad NAT '" + spec + "': PUBLIC INSIDE");
            }
            return new NatSpec(Prefix.parse(w[0]), Prefix.parse(w[1]));
        }
    }

    /** Masquerading: packets from PREFIX leaving through ADDRESS's port come from ADDRESS, ports translated. IPv4. */
    static final class MasqueradeSpec {
        final Prefix inside;
        final Prefix address;

        MasqueradeSpec(Prefix inside, Prefix address) {
            if (!inside.isV4() || !address.isV4() || address.writtenLength() != 32) {
                throw new IllegalArgumentException("masquerading maps an IPv4 prefix to one IPv4 address: " + inside + " " + address);
            }
            this.inside = inside.network();
            this.address = address;
        }

        String spec() {
            return inside + " " + address.address();
        }

        static MasqueradeSpec parse(String spec) {
            String[] w = spec.trim().split("\\s+");
            if (w.length != 2) {
                throw new IllegalArgumentException("bad masquerade '" + spec + "': PREFIX ADDRESS");
            }
            return new MasqueradeSpec(Prefix.parse(w[0]), Prefix.parse(w[1]));
        }
    }

    final String name;
    final long mac;
    final List<PortDefinition> ports;
    final List<RouteSpec> routes;
    final List<NatSpec> nats;
    final List<MasqueradeSpec> masquerades;

    RouterDefinition(String name, long mac, List<PortDefinition> ports, List<RouteSpec> routes) {
        this(name, mac, ports, routes, List.of());
    }

    RouterDefinition(String name, long mac, List<PortDefinition> ports, List<RouteSpec> routes, List<NatSpec> nats) {
        this(name, mac, ports, routes, nats, List.of());
    }

    RouterDefinition(String name, long mac, List<PortDefinition> ports, List<RouteSpec> routes, List<NatSpec> nats,
            List<MasqueradeSpec> masquerades) {
        this.name = name;
        this.mac = mac;
        this.ports = List.copyOf(ports);
        this.routes = List.copyOf(routes);
        this.nats = List.copyOf(nats);
        this.masquerades = List.copyOf(masquerades);
    }

    RouterDefinition withPorts(List<PortDefinition> p) {
        return new RouterDefinition(name, mac, p, routes, nats, masquerades);
    }

    RouterDefinition withRoutes(List<RouteSpec> r) {
        return new RouterDefinition(name, mac, ports, r, nats, masquerades);
    }

    RouterDefinition withNats(List<NatSpec> n) {
        return new RouterDefinition(name, mac, ports, routes, n, masquerades);
    }

    RouterDefinition withMasquerades(List<MasqueradeSpec> m) {
        return new RouterDefinition(name, mac, ports, routes, nats, m);
    }

    /** The uplink, or {@code null}. */
    PortDefinition uplink() {
        for (PortDefinition p : ports) {
            if (p.isUplink()) {
                return p;
            }
        }
        return null;
    }

    PortDefinition port(String overlay) {
        for (PortDefinition p : ports) {
            if (p.overlay.equals(overlay)) {
                return p;
            }
        }
        return null;
    }

    Dictionary<String, Object> toDictionary() {
        Hashtable<String, Object> d = new Hashtable<>();
        d.put(NAME, name);
        d.put(MAC, MacAddress.format(mac));
        d.put(PORTS, ports.stream().map(PortDefinition::spec).toArray(String[]::new));
        d.put(ROUTES, routes.stream().map(RouteSpec::spec).toArray(String[]::new));
        d.put(NATS, nats.stream().map(NatSpec::spec).toArray(String[]::new));
        d.put(MASQUERADES, masquerades.stream().map(MasqueradeSpec::spec).toArray(String[]::new));
        return d;
    }

    static RouterDefinition fromDictionary(Dictionary<String, Object> d) {
        Object name = d.get(NAME);
        if (!(name instanceof String)) {
            throw new IllegalArgumentException("no " + NAME);
        }
        List<PortDefinition> ports = new ArrayList<>();
        for (String s : strings(d.get(PORTS))) {
            ports.add(PortDefinition.parse(s));
        }
        List<RouteSpec> routes = new ArrayList<>();
        for (String s : strings(d.get(ROUTES))) {
            routes.add(RouteSpec.parse(s));
        }
        List<NatSpec> nats = new ArrayList<>();
        for (String s : strings(d.get(NATS))) {
            nats.add(NatSpec.parse(s));
        }
        List<MasqueradeSpec> masquerades = new ArrayList<>();
        for (String s : strings(d.get(MASQUERADES))) {
            masquerades.add(MasqueradeSpec.parse(s));
        }
        Object mac = d.get(MAC);
        return new RouterDefinition((String) name, mac == null ? RouterMac.of((String) name) : MacAddress.parse(mac.toString()), ports,
                routes, nats, masquerades);
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof String[]) {
            out.addAll(List.of((String[]) o));
        } else if (o instanceof Iterable) {
            for (Object x : (Iterable<?>) o) {
                out.add(String.valueOf(x));
            }
        } else if (o instanceof String) {
            out.add((String) o);
        }
        return out;
    }
}
