package org.overlaygate.router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.shell.Args;
import org.overlaygate.api.shell.Commands;
import org.overlaygate.api.shell.TextTable;

/**
 * The {@code router:} commands, dladm-like. Gogo cannot map hyphenated names
 * ({@code route-add}) to methods, so each command is a {@link Function} (registered by
 * {@link RouterShell}), with {@code -h}, {@code -p -o FIELD,...} where it shows a table, and
 * one-line errors that change nothing.
 */
final class RouterCommands {
    static final String CREATE = "usage: router:create [-m MAC] NAME\n"
            + "  creates router NAME and stores it (it comes back at every start)\n"
            + "  -m MAC   its MAC on every overlay (default: derived from NAME, locally administered, the same on every host)";
    static final String DELETE = "usage: router:delete NAME\n"
            + "  deletes router NAME: detached from every overlay, forgotten";
    static final String ATTACH = "usage: router:attach [-m MAC] NAME OVERLAY ADDRESS/PREFIX [ADDRESS/PREFIX ...]\n"
            + "  gives router NAME a port on OVERLAY with these addresses (IPv4 and IPv6): it answers ARP and neighbour\n"
            + "  solicitations for them, echo requests and router solicitations, and routes between its subnets\n"
            + "  -m MAC   the port's MAC (default: the router's)";
    static final String DETACH = "usage: router:detach NAME OVERLAY\n"
            + "  removes router NAME's port on OVERLAY, its subnets' routes and its neighbours";
    static final String UPLINK = "usage: router:uplink [-m MAC] NAME INTERFACE ADDRESS/PREFIX [ADDRESS/PREFIX ...] [gw GATEWAY] | router:uplink NAME remove\n"
            + "  gives router NAME its port to the outside: INTERFACE, attached (promiscuous, as a pcap VNIC) when the host has\n"
            + "  it, else a TAP device of that name made for it (give the host side an address and route or NAT behind it).\n"
            + "  Routes \"PREFIX uplink\" lead to GATEWAY; snat and dnat work on its subnet as on any port's (snat PREFIX\n"
            + "  alone masquerades behind its address). It is shown as port uplink:INTERFACE; remove takes it away\n"
            + "  -m MAC   its MAC (default: derived from NAME and its first address, so that hosts sharing the outside differ)";
    static final String ROUTE_ADD = "usage: router:route-add NAME PREFIX (via NEXTHOP | blackhole | uplink)\n"
            + "  a static route: packets to PREFIX go to NEXTHOP (on one of the router's subnets), out of the uplink (to\n"
            + "  its gateway), or are dropped without an ICMP error (blackhole)";
    static final String ROUTE_REMOVE = "usage: router:route-remove NAME PREFIX\n"
            + "  removes the static or blackhole route to PREFIX";
    static final String SHOW = "usage: router:show [-p -o FIELD,...] [NAME]\n"
            + "  every router's ports, or NAME's (ROUTER OVERLAY MACADDRESS ADDRESSES MTU STATE)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";
    static final String ROUTES = "usage: router:routes [-p -o FIELD,...] NAME\n"
            + "  the routes of router NAME (PREFIX TYPE NEXTHOP OVERLAY STATE); a static route whose next hop is on no\n"
            + "  subnet of the router is inactive\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";
    static final String NEIGH = "usage: router:neigh [-p -o FIELD,...] NAME\n"
            + "  the neighbours of router NAME (OVERLAY ADDRESS MACADDRESS STATE SOURCE AGE); SOURCE: arp, ndp,\n"
            + "  lookup (the overlay's search plugin answered)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";
    static final String STATS = "usage: router:stats [-p -o FIELD,...] NAME\n"
            + "  packets routed, answers given, ICMP errors sent, and every drop by its reason (docs/glossary.md)\n"
            + "  (COUNTER KIND VALUE), then each port's frames in and out\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";

    static final String NAT = "usage: router:nat [-p -o FIELD,...] NAME [dnat PUBLIC INSIDE | snat PREFIX [ADDRESS] | remove PUBLIC|PREFIX]\n"
            + "  address translation, IPv4. dnat: 1:1 NAT (an elastic IP): PUBLIC, an address on one of the router's subnets,\n"
            + "  stands for INSIDE, on another: packets to PUBLIC go to INSIDE, packets from INSIDE leaving through PUBLIC's port\n"
            + "  come from PUBLIC, and the router answers ARP for PUBLIC there. snat: masquerading: TCP, UDP and pings from\n"
            + "  PREFIX leaving through ADDRESS's port (default: the uplink's address) come from ADDRESS, each connection on a\n"
            + "  port of its own (1025-65535,\n"
            + "  router:conns). With NAME alone, the translations (TYPE FROM TO OUTSIDE)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";
    static final String CONNS = "usage: router:conns [-p -o FIELD,...] NAME\n"
            + "  the connections router NAME masquerades (PROTO INSIDE PORT REMOTE EXPIRES, in seconds)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";

    private final RouterManager manager;

    RouterCommands(RouterManager manager) {
        this.manager = manager;
    }

    Map<String, Function> functions() {
        Map<String, Function> f = new LinkedHashMap<>();
        f.put("create", command(CREATE, Set.of("-m"), Set.of(), this::create));
        f.put("delete", command(DELETE, Set.of(), Set.of(), this::delete));
        f.put("attach", command(ATTACH, Set.of("-m"), Set.of(), this::attach));
        f.put("detach", command(DETACH, Set.of(), Set.of(), this::detach));
        f.put("uplink", command(UPLINK, Set.of("-m"), Set.of(), this::uplink));
        f.put("route-add", command(ROUTE_ADD, Set.of(), Set.of(), this::routeAdd));
        f.put("route-remove", command(ROUTE_REMOVE, Set.of(), Set.of(), this::routeRemove));
        f.put("show", command(SHOW, Set.of("-o"), Set.of("-p"), this::show));
        f.put("routes", command(ROUTES, Set.of("-o"), Set.of("-p"), this::routes));
        f.put("neigh", command(NEIGH, Set.of("-o"), Set.of("-p"), this::neigh));
        f.put("stats", command(STATS, Set.of("-o"), Set.of("-p"), this::stats));
        f.put("nat", command(NAT, Set.of("-o"), Set.of("-p"), this::nat));
        f.put("conns", command(CONNS, Set.of("-o"), Set.of("-p"), this::conns));
        return f;
    }

    private interface Body {
        String run(Args a);
    }

    private static Function command(String help, Set<String> valueOptions, Set<String> flags, Body body) {
        return (CommandSession session, List<Object> arguments) -> run(help, valueOptions, flags, body, arguments.toArray());
    }

    static String run(String help, Set<String> valueOptions, Set<String> flags, Body body, Object[] words) throws Exception {
        String[] w = new String[words.length];
        for (int i = 0; i < words.length; i++) {
            w[i] = String.valueOf(words[i]);
        }
        return Commands.run(w, help, () -> body.run(Args.parse(w, valueOptions, flags, usageLine(help))));
    }

    static String usageLine(String help) {
        String u = help.substring("usage: ".length());
        int nl = u.indexOf('\n');
        return nl < 0 ? u : u.substring(0, nl);
    }

    private static long mac(Args a) {
        return a.value("-m") == null ? -1 : MacAddress.parse(a.value("-m"));
    }

    String create(Args a) {
        Router r = manager.create(a.operand("NAME"), mac(a));
        return "router " + r.name + " created: " + MacAddress.format(r.definition().mac) + "\n";
    }

    String delete(Args a) {
        String name = a.operand("NAME");
        manager.delete(name);
        return "router " + name + " deleted\n";
    }

    String attach(Args a) {
        if (a.operands().size() < 3) {
            throw a.error("expected NAME OVERLAY ADDRESS/PREFIX ...");
        }
        List<String> w = a.operands();
        List<Prefix> addresses = new ArrayList<>();
        for (String s : w.subList(2, w.size())) {
            if (s.indexOf('/') < 0) {
                throw a.error("'" + s + "' has no prefix length: ADDRESS/PREFIX");
            }
            addresses.add(Prefix.parse(s));
        }
        RouterPort p = manager.attach(w.get(0), w.get(1), mac(a), addresses);
        return "router " + w.get(0) + " on " + w.get(1) + ": " + MacAddress.format(p.mac) + " " + join(p.definition.addresses)
                + (p.link == null ? " (" + p.fault + ")" : "") + "\n";
    }

    String uplink(Args a) {
        List<String> w = a.operands();
        if (w.size() == 2 && w.get(1).equals("remove")) {
            manager.removeUplink(w.get(0));
            return "router " + w.get(0) + ": uplink removed\n";
        }
        if (w.size() < 3) {
            throw a.error("expected NAME INTERFACE ADDRESS/PREFIX ... [gw GATEWAY], or NAME remove");
        }
        int end = w.size();
        Prefix gateway = null;
        if (w.get(end - 2).equals("gw")) {
            gateway = Prefix.parse(w.get(end - 1));
            if (gateway.writtenLength() != (gateway.isV4() ? 32 : 128)) {
                throw a.error("gw takes an address, not '" + w.get(end - 1) + "'");
            }
            end -= 2;
        }
        List<Prefix> addresses = new ArrayList<>();
        for (String s : w.subList(2, end)) {
            if (s.indexOf('/') < 0) {
                throw a.error("'" + s + "' has no prefix length: ADDRESS/PREFIX");
            }
            addresses.add(Prefix.parse(s));
        }
        RouterPort p = manager.uplink(w.get(0), w.get(1), mac(a), addresses, gateway);
        PortLink link = p.link;
        return "router " + w.get(0) + ": uplink on " + w.get(1) + ": " + MacAddress.format(p.mac) + " " + join(p.definition.addresses)
                + (gateway == null ? "" : " gw " + gateway.address()) + (link == null ? " (" + p.fault + ")" : "") + "\n";
    }

    String detach(Args a) {
        List<String> w = a.operands(2, 2);
        manager.detach(w.get(0), w.get(1));
        return "router " + w.get(0) + " detached from " + w.get(1) + "\n";
    }

    String routeAdd(Args a) {
        List<String> w = a.operands(3, 4);
        String spec = String.join(" ", w.subList(1, w.size()));
        RouterDefinition.RouteSpec r = RouterDefinition.RouteSpec.parse(spec);
        manager.routeAdd(w.get(0), r);
        return "router " + w.get(0) + ": " + r.spec() + "\n";
    }

    String routeRemove(Args a) {
        List<String> w = a.operands(2, 2);
        Prefix p = Prefix.parse(w.get(1));
        manager.routeRemove(w.get(0), p);
        return "router " + w.get(0) + ": route to " + p.network() + " removed\n";
    }

    String show(Args a) {
        String name = a.optionalOperand("NAME");
        List<Router> routers = name == null ? manager.routers() : List.of(manager.router(name));
        TextTable t = new TextTable("ROUTER", "OVERLAY", "MACADDRESS", "ADDRESSES", "MTU", "STATE");
        for (Router r : routers) {
            RouterPort[] ports = r.config().ports;
            if (ports.length == 0) {
                t.row(r.name, "--", MacAddress.format(r.definition().mac), "--", "--", "no ports");
            }
            for (RouterPort p : ports) {
                PortLink link = p.link;
                t.row(r.name, p.overlay, MacAddress.format(p.mac), join(p.definition.addresses), link == null ? "--" : link.mtu(),
                        link == null ? "absent: " + p.fault : "up");
            }
        }
        return render(a, t, "no routers\n");
    }

    String routes(Args a) {
        Router r = manager.router(a.operand("NAME"));
        TextTable t = new TextTable("PREFIX", "TYPE", "NEXTHOP", "OVERLAY", "STATE");
        Router.Config c = r.config();
        for (Route route : c.table.routes()) {
            t.row(route.prefix, route.kind.name().toLowerCase(), route.via == null ? "--" : route.via.address(),
                    route.port == null ? "--" : route.port.overlay, route.port == null || route.port.link != null ? "active" : "detached");
        }
        for (RouterDefinition.RouteSpec s : c.definition.routes) {
            boolean active = false;
            for (Route route : c.table.routes()) {
                active |= route.kind != Route.Kind.CONNECTED && route.prefix.equals(s.prefix);
            }
            if (!active && s.uplink) {
                t.row(s.prefix, "uplink", "--", "--", "inactive: no uplink with a gateway of its family");
            } else if (!active) {
                t.row(s.prefix, "static", s.via.address(), "--", "inactive: next hop on no subnet");
            }
        }
        return render(a, t, "no routes\n");
    }

    String neigh(Args a) {
        Router r = manager.router(a.operand("NAME"));
        TextTable t = new TextTable("OVERLAY", "ADDRESS", "MACADDRESS", "STATE", "SOURCE", "AGE");
        for (RouterPort p : r.config().ports) {
            long now = p.neighbours.now();
            for (Neighbour n : p.neighbours.entries()) {
                long since;
                synchronized (n) {
                    since = n.since;
                }
                t.row(p.overlay, Ip.format(n.hi, n.lo), n.mac == 0 ? "--" : MacAddress.format(n.mac), n.state.name().toLowerCase(),
                        n.source.isEmpty() ? "--" : n.source, Math.max(0, (now - since) / 1_000_000_000L) + "s");
            }
        }
        return render(a, t, "no neighbours\n");
    }

    String stats(Args a) {
        Router r = manager.router(a.operand("NAME"));
        TextTable t = new TextTable("COUNTER", "KIND", "VALUE");
        for (Map.Entry<String, Long> e : r.counters.snapshot().entrySet()) {
            t.row(e.getKey(), RouterCounters.isDrop(e.getKey()) ? "drop" : "event", e.getValue());
        }
        for (RouterPort p : r.config().ports) {
            PortLink link = p.link;
            if (link != null) {
                var s = link.stats();
                t.row(p.name() + ".frames_in", "port", s.packetsIn());
                t.row(p.name() + ".frames_out", "port", s.packetsOut());
            }
        }
        return render(a, t, "");
    }

    String nat(Args a) {
        List<String> w = a.operands(1, 4);
        String name = w.get(0);
        if (w.size() == 4 && w.get(1).equals("dnat")) {
            RouterDefinition.NatSpec n = new RouterDefinition.NatSpec(Prefix.parse(w.get(2)), Prefix.parse(w.get(3)));
            manager.natAdd(name, n);
            return "router " + name + ": " + n.publicAddress.address() + " stands for " + n.inside.address() + "\n";
        }
        if ((w.size() == 3 || w.size() == 4) && w.get(1).equals("snat")) {
            Prefix address = w.size() == 4 ? Prefix.parse(w.get(3)) : manager.uplinkAddress(name);
            RouterDefinition.MasqueradeSpec m = new RouterDefinition.MasqueradeSpec(Prefix.parse(w.get(2)), address);
            manager.masqueradeAdd(name, m);
            return "router " + name + ": " + m.inside + " masqueraded behind " + m.address.address() + "\n";
        }
        if (w.size() == 3 && w.get(1).equals("remove")) {
            Prefix p = Prefix.parse(w.get(2));
            if (w.get(2).indexOf('/') >= 0) {
                manager.masqueradeRemove(name, p);
                return "router " + name + ": " + p.network() + " no longer masqueraded\n";
            }
            manager.natRemove(name, p);
            return "router " + name + ": " + p.address() + " no longer translated\n";
        }
        if (w.size() != 1) {
            throw a.error("expected NAME, NAME dnat PUBLIC INSIDE, NAME snat PREFIX [ADDRESS], or NAME remove PUBLIC|PREFIX");
        }
        Router.Config c = manager.router(name).config();
        TextTable t = new TextTable("TYPE", "FROM", "TO", "OUTSIDE");
        for (RouterDefinition.NatSpec n : c.definition.nats) {
            String outside = "--";
            for (int i = 0; i < c.natPublic.length; i++) {
                if (c.natPublic[i] == (int) n.publicAddress.lo) {
                    outside = c.natOutside[i].overlay;
                }
            }
            t.row("dnat", n.publicAddress.address(), n.inside.address(), outside);
        }
        for (RouterDefinition.MasqueradeSpec m : c.definition.masquerades) {
            String outside = "--";
            for (int i = 0; i < c.masqAddress.length; i++) {
                if (c.masqAddress[i] == (int) m.address.lo) {
                    outside = c.masqOutside[i].overlay;
                }
            }
            t.row("snat", m.inside, m.address.address(), outside);
        }
        return render(a, t, "no translations\n");
    }

    String conns(Args a) {
        Router r = manager.router(a.operand("NAME"));
        TextTable t = new TextTable("PROTO", "INSIDE", "PORT", "REMOTE", "EXPIRES");
        for (String[] row : r.conns.rows()) {
            t.row((Object[]) row);
        }
        return render(a, t, "no connections\n");
    }

    private static String render(Args a, TextTable t, String empty) {
        if (a.flag("-p")) {
            if (a.value("-o") == null) {
                throw a.error("-p needs -o FIELD,...");
            }
            return t.renderParseable(List.of(a.value("-o").split(",")));
        }
        return t.isEmpty() ? empty : t.render();
    }

    private static String join(List<Prefix> addresses) {
        StringBuilder s = new StringBuilder();
        for (Prefix p : addresses) {
            s.append(s.length() == 0 ? "" : ",").append(p);
        }
        return s.toString();
    }
}
