package org.overlaygate.router;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.overlaygate.api.AddressLookup;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.HostLink;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.shell.Suggestions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routers of this host: their durable definitions (ConfigAdmin, restored when the bundle
 * starts), their ports attached to the overlays' devices as those appear, and the timer that
 * retries attachments and ages neighbours. Every change is saved before it is put in force; a
 * change that cannot be saved changes nothing.
 */
@Component(service = RouterManager.class)
public final class RouterManager {
    private static final Logger LOG = LoggerFactory.getLogger(RouterManager.class);
    static final long TICK_MILLIS = 100;
    static final long ATTACH_RETRY_NANOS = 1_000_000_000L;
    static final int MAX_ROUTERS = 256;
    /** The MTU of an uplink's TAP device: Ethernet's. */
    static final int UPLINK_TAP_MTU = 1500;

    @Reference
    private DataPath dataPath;
    @Reference
    private ConfigurationAdmin configAdmin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AddressLookup addressLookup;

    private final Map<String, Router> routers = new TreeMap<>();
    private final LongSupplier clock;
    /** Where routers' run-time state waits across a restart ({@link RouterState}); {@code null}: none is kept. */
    private Path stateDir;
    private RouterStore store;
    private ScheduledExecutorService timer;

    public RouterManager() {
        this.clock = System::nanoTime;
    }

    /** For tests: a data path, a store and a clock of the test's; no timer (call {@link #tick}); state kept in {@code stateDir} if not null. */
    RouterManager(DataPath dataPath, RouterStore store, LongSupplier clock, Path stateDir) {
        this.dataPath = dataPath;
        this.store = store;
        this.clock = clock;
        this.stateDir = stateDir;
    }

    @Activate
    void activate(BundleContext context) throws IOException {
        File data = context.getDataFile("state");
        stateDir = data == null ? null : data.toPath();
        store = new RouterStore(configAdmin);
        restore();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "overlay-router timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    synchronized void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Router r : routers.values()) {
            saveState(r);
            for (RouterPort p : r.config().ports) {
                p.detach("router bundle stopped");
            }
        }
        routers.clear();
    }

    synchronized void restore() throws IOException {
        for (RouterDefinition d : store.load()) {
            Router r = newRouter(d);
            restoreState(r);
            routers.put(d.name, r);
        }
        tick();
        LOG.info("{} router(s) restored", routers.size());
    }

    private void saveState(Router r) {
        if (stateDir == null) {
            return;
        }
        try {
            RouterState.save(stateDir, r, System.currentTimeMillis());
            LOG.info("router {}: {} connection(s) and its neighbours kept for its next start", r.name, r.conns.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("router {}: cannot keep its connections and neighbours: {}", r.name, e.toString());
        }
    }

    private void restoreState(Router r) {
        if (stateDir == null) {
            return;
        }
        try {
            int[] restored = RouterState.restore(stateDir, r, System.currentTimeMillis());
            if (restored[0] + restored[1] > 0) {
                LOG.info("router {}: {} neighbour(s) and {} connection(s) restored", r.name, restored[0], restored[1]);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("router {}: its connections and neighbours are not restored: {}", r.name, e.toString());
        }
    }

    private Router newRouter(RouterDefinition d) {
        Router r = new Router(d, clock);
        r.resolver = this::macOf;
        return r;
    }

    private CompletionStage<OptionalLong> macOf(String overlay, long hi, long lo) {
        AddressLookup l = addressLookup;
        return l == null ? null : l.macOf(overlay, Ip.toInet(hi, lo), AddressLookup.NO_VLAN);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("router timer: {}", e.toString());
        }
    }

    /** Attaches ports whose overlay appeared, detaches those whose overlay went, ages neighbours. */
    void tick() {
        List<Router> all;
        synchronized (this) {
            all = new ArrayList<>(routers.values());
            for (Router r : all) {
                for (RouterPort p : r.config().ports) {
                    reconcile(p);
                }
            }
        }
        for (Router r : all) {
            r.tick();
        }
    }

    private void reconcile(RouterPort p) {
        if (p.isUplink()) {
            reconcileUplink(p);
            return;
        }
        Optional<OverlayDevice> device = dataPath.device(p.overlay);
        PortLink link = p.link;
        if (link != null) {
            if (device.isEmpty() || device.get() != link.overlay()) {
                p.detach("overlay " + p.overlay + " is gone");
                LOG.info("router {}: detached from {}: the overlay is gone", p.router.name, p.overlay);
            }
            return;
        }
        if (!attemptDue(p)) {
            return;
        }
        if (device.isEmpty()) {
            p.fault = "no overlay " + p.overlay + " here";
            return;
        }
        try {
            p.link = PortLink.of(device.get().attachPort(p.name(), p.mac, true, p));
            p.fault = null;
            LOG.info("router {}: attached to {} as {}", p.router.name, p.overlay, MacAddress.format(p.mac));
        } catch (DataPathException | RuntimeException e) {
            p.fault = "cannot attach: " + e.getMessage();
        }
    }

    /** The uplink's host link, opened (a TAP device made, or the interface attached) and retried until it is. */
    private void reconcileUplink(RouterPort p) {
        if (p.link != null || !attemptDue(p)) {
            return;
        }
        String itf = p.definition.hostInterface;
        try {
            HostLink link = dataPath.openHostLink(itf, UPLINK_TAP_MTU, p::fromHost);
            p.link = PortLink.of(link);
            p.fault = null;
            LOG.info("router {}: uplink on {} ({}, MTU {}) as {}", p.router.name, itf,
                    link.createdTap() ? "a TAP device" : "an attached interface", link.mtu(), MacAddress.format(p.mac));
        } catch (DataPathException | RuntimeException e) {
            p.fault = "cannot open " + itf + ": " + e.getMessage();
        }
    }

    /** Whether a port that is down may try to come up now: at most once every {@link #ATTACH_RETRY_NANOS}. */
    private boolean attemptDue(RouterPort p) {
        long now = clock.getAsLong();
        if (p.lastAttempt != 0 && now - p.lastAttempt < ATTACH_RETRY_NANOS) {
            return false;
        }
        p.lastAttempt = now == 0 ? 1 : now;
        return true;
    }

    // ================================================================ what the commands do

    synchronized List<Router> routers() {
        return new ArrayList<>(routers.values());
    }

    synchronized Router router(String name) {
        Router r = routers.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no router " + name + Suggestions.didYouMean(name, routers.keySet()));
        }
        return r;
    }

    synchronized Router create(String name, long mac) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,30}")) {
            throw new IllegalArgumentException("bad router name '" + name + "': letters, digits, '_' and '-', at most 31");
        }
        if (routers.containsKey(name)) {
            throw new IllegalArgumentException("router " + name + " exists");
        }
        if (routers.size() >= MAX_ROUTERS) {
            throw new IllegalStateException("too many routers (" + MAX_ROUTERS + ")");
        }
        RouterDefinition d = new RouterDefinition(name, mac == -1 ? RouterMac.of(name) : checkMac(mac), List.of(), List.of());
        save(d);
        Router r = newRouter(d);
        routers.put(name, r);
        return r;
    }

    synchronized void delete(String name) {
        Router r = router(name);
        try {
            store.delete(name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot forget router " + name + ": " + e.getMessage());
        }
        routers.remove(name);
        for (RouterPort p : r.config().ports) {
            p.detach("deleted");
        }
    }

    synchronized RouterPort attach(String name, String overlay, long mac, List<Prefix> addresses) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        if (d.port(overlay) != null) {
            throw new IllegalArgumentException("router " + name + " is already on " + overlay + ": detach it first");
        }
        if (dataPath.device(overlay).isEmpty()) {
            List<String> names = new ArrayList<>();
            for (OverlayDevice o : dataPath.devices()) {
                names.add(o.name());
            }
            throw new IllegalArgumentException("no overlay " + overlay + Suggestions.didYouMean(overlay, names));
        }
        checkAddresses(d, overlay, addresses);
        return addPort(r, new RouterDefinition.PortDefinition(overlay, mac == -1 ? d.mac : checkMac(mac), addresses));
    }

    /**
     * Gives a router its uplink: host interface {@code itf} (attached when the host has it, else a
     * TAP device made), with its addresses and an optional gateway, where {@code uplink} routes lead. Its
     * MAC defaults to one derived from the router's name and the uplink's first address: unlike the
     * overlay ports', it must differ between hosts, which may share the outside network.
     */
    synchronized RouterPort uplink(String name, String itf, long mac, List<Prefix> addresses, Prefix gateway) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        RouterDefinition.PortDefinition old = d.uplink();
        if (old != null) {
            throw new IllegalArgumentException("router " + name + " has an uplink on " + old.hostInterface + " already: remove it first");
        }
        if (!itf.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("bad interface name '" + itf + "': 1-15 letters, digits, '_', '.', '-'");
        }
        checkAddresses(d, RouterDefinition.PortDefinition.UPLINK + itf, addresses);
        if (gateway != null) {
            boolean onLink = false;
            for (Prefix a : addresses) {
                boolean itself = a.hi == gateway.hi && a.lo == gateway.lo;
                onLink |= a.isV4() == gateway.isV4() && a.contains(gateway.hi, gateway.lo) && !itself;
            }
            if (!onLink) {
                throw new IllegalArgumentException("gateway " + gateway.address() + " is on none of the uplink's subnets (or is its own address)");
            }
        }
        long m = mac == -1 ? RouterMac.of(name + "/uplink/" + addresses.get(0).address()) : checkMac(mac);
        return addPort(r, RouterDefinition.PortDefinition.uplink(itf, m, addresses, gateway));
    }

    /** The uplink's first IPv4 address: what {@code snat PREFIX} masquerades behind when no address is given. */
    synchronized Prefix uplinkAddress(String name) {
        RouterDefinition.PortDefinition u = router(name).definition().uplink();
        if (u == null) {
            throw new IllegalArgumentException("router " + name + " has no uplink: name the ADDRESS to masquerade behind");
        }
        for (Prefix a : u.addresses) {
            if (a.isV4()) {
                return Prefix.parse(a.address());
            }
        }
        throw new IllegalArgumentException("router " + name + "'s uplink has no IPv4 address to masquerade behind");
    }

    synchronized void removeUplink(String name) {
        RouterDefinition.PortDefinition u = router(name).definition().uplink();
        if (u == null) {
            throw new IllegalArgumentException("router " + name + " has no uplink");
        }
        detach(name, u.overlay);
    }

    private RouterPort addPort(Router r, RouterDefinition.PortDefinition port) {
        RouterDefinition d = r.definition();
        List<RouterDefinition.PortDefinition> ports = new ArrayList<>(d.ports);
        ports.add(port);
        putInForce(r, d.withPorts(ports));
        RouterPort added = r.port(port.overlay);
        reconcile(added);
        return added;
    }

    /** A new port's addresses: at least one, each with room for neighbours, no martian, none overlapping another port's. */
    private static void checkAddresses(RouterDefinition d, String where, List<Prefix> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("router " + d.name + " needs at least one ADDRESS/PREFIX on " + where);
        }
        for (Prefix a : addresses) {
            if (a.writtenLength() == (a.isV4() ? 32 : 128)) {
                throw new IllegalArgumentException("address " + a + " leaves no room for neighbours: give the subnet's prefix");
            }
            if (a.isV4() ? Martians.v4Source((int) a.lo) : Martians.v6Source(a.hi, a.lo)) {
                throw new IllegalArgumentException("address " + a + " cannot be a router's");
            }
            if (a.equals(a.network()) && a.isV4()) {
                throw new IllegalArgumentException("address " + a + " is the subnet itself: give the router's address in it");
            }
            for (RouterDefinition.PortDefinition p : d.ports) {
                for (Prefix b : p.addresses) {
                    if (b.isV4() == a.isV4() && (b.contains(a.hi, a.lo) || a.contains(b.hi, b.lo))) {
                        throw new IllegalArgumentException(a + " overlaps " + b + " on " + p.overlay);
                    }
                }
            }
        }
    }

    synchronized void detach(String name, String overlay) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        if (d.port(overlay) == null) {
            List<String> on = new ArrayList<>();
            d.ports.forEach(p -> on.add(p.overlay));
            throw new IllegalArgumentException("router " + name + " is not on " + overlay + Suggestions.didYouMean(overlay, on));
        }
        List<RouterDefinition.PortDefinition> ports = new ArrayList<>(d.ports);
        ports.removeIf(p -> p.overlay.equals(overlay));
        RouterDefinition next = d.withPorts(ports);
        for (RouterPort gone : putInForce(r, next)) {
            gone.detach("detached");
        }
    }

    synchronized void routeAdd(String name, RouterDefinition.RouteSpec spec) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        for (RouterDefinition.RouteSpec s : d.routes) {
            if (s.prefix.equals(spec.prefix)) {
                throw new IllegalArgumentException("router " + name + " has a route to " + spec.prefix + " already: remove it first");
            }
        }
        if (d.routes.size() >= RouteTable.MAX_ROUTES) {
            throw new IllegalStateException("router " + name + " has " + RouteTable.MAX_ROUTES + " routes: no more");
        }
        if (spec.uplink) {
            RouterDefinition.PortDefinition u = d.uplink();
            if (u == null) {
                throw new IllegalArgumentException("router " + name + " has no uplink: give it one with router:uplink");
            }
            if (u.gateway == null) {
                throw new IllegalArgumentException("router " + name + "'s uplink has no gateway (router:uplink ... gw GATEWAY): route via an"
                        + " address on its subnet");
            }
            if (u.gateway.isV4() != spec.prefix.isV4()) {
                throw new IllegalArgumentException("the uplink's gateway " + u.gateway.address() + " cannot carry " + spec.prefix);
            }
        }
        if (spec.via != null) {
            Route c = Router.buildTable(d.withRoutes(List.of()), r.config().ports).lookup(spec.via.hi, spec.via.lo);
            if (c == null) {
                throw new IllegalArgumentException("next hop " + spec.via.address() + " is on none of router " + name + "'s subnets");
            }
            if (r.config().isLocal(spec.via.hi, spec.via.lo)) {
                throw new IllegalArgumentException("next hop " + spec.via.address() + " is the router itself");
            }
        }
        List<RouterDefinition.RouteSpec> routes = new ArrayList<>(d.routes);
        routes.add(spec);
        RouterDefinition next = d.withRoutes(routes);
        putInForce(r, next);
    }

    synchronized void routeRemove(String name, Prefix prefix) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        List<RouterDefinition.RouteSpec> routes = new ArrayList<>(d.routes);
        if (!routes.removeIf(s -> s.prefix.equals(prefix.network()))) {
            throw new IllegalArgumentException("router " + name + " has no static route to " + prefix.network());
        }
        RouterDefinition next = d.withRoutes(routes);
        putInForce(r, next);
    }

    /** 1:1 NAT: PUBLIC on one port's subnet (answered for in ARP there) stands for INSIDE, on another port's. */
    synchronized void natAdd(String name, RouterDefinition.NatSpec nat) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        Router.Config c = r.config();
        RouterPort outside = null;
        RouterPort inside = null;
        for (RouterPort p : c.ports) {
            if (p.onLink(nat.publicAddress.hi, nat.publicAddress.lo)) {
                outside = p;
            }
            if (p.onLink(nat.inside.hi, nat.inside.lo)) {
                inside = p;
            }
        }
        if (outside == null) {
            throw new IllegalArgumentException("public address " + nat.publicAddress.address() + " is on none of router " + name + "'s subnets");
        }
        if (inside == null || inside == outside) {
            throw new IllegalArgumentException("inside address " + nat.inside.address() + " must be on another of router " + name
                    + "'s subnets than " + outside.overlay);
        }
        if (c.isLocal(nat.publicAddress.hi, nat.publicAddress.lo) || c.isLocal(nat.inside.hi, nat.inside.lo)) {
            throw new IllegalArgumentException("an address of the router itself cannot be translated");
        }
        for (RouterDefinition.NatSpec n : d.nats) {
            if (n.publicAddress.equals(nat.publicAddress) || n.inside.equals(nat.inside)) {
                throw new IllegalArgumentException("router " + name + " translates " + n.spec().replace(" ", " to ") + " already");
            }
        }
        List<RouterDefinition.NatSpec> nats = new ArrayList<>(d.nats);
        nats.add(nat);
        RouterDefinition next = d.withNats(nats);
        putInForce(r, next);
    }

    synchronized void natRemove(String name, Prefix publicAddress) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        List<RouterDefinition.NatSpec> nats = new ArrayList<>(d.nats);
        if (!nats.removeIf(n -> n.publicAddress.equals(publicAddress))) {
            throw new IllegalArgumentException("router " + name + " does not translate " + publicAddress.address());
        }
        RouterDefinition next = d.withNats(nats);
        putInForce(r, next);
    }

    /** Masquerading: packets from PREFIX leaving through ADDRESS's port come from ADDRESS, each connection on a port of its own. */
    synchronized void masqueradeAdd(String name, RouterDefinition.MasqueradeSpec m) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        RouterPort outside = null;
        for (RouterPort p : r.config().ports) {
            if (p.onLink(m.address.hi, m.address.lo)) {
                outside = p;
            }
        }
        if (outside == null) {
            throw new IllegalArgumentException("address " + m.address.address() + " is on none of router " + name + "'s subnets");
        }
        if (outside.onLink(m.inside.hi, m.inside.lo)) {
            throw new IllegalArgumentException(m.inside + " is on " + outside.overlay + " itself: masquerade a prefix behind another port");
        }
        for (RouterDefinition.MasqueradeSpec x : d.masquerades) {
            if (x.inside.equals(m.inside)) {
                throw new IllegalArgumentException("router " + name + " masquerades " + x.inside + " already");
            }
        }
        List<RouterDefinition.MasqueradeSpec> list = new ArrayList<>(d.masquerades);
        list.add(m);
        RouterDefinition next = d.withMasquerades(list);
        putInForce(r, next);
    }

    synchronized void masqueradeRemove(String name, Prefix inside) {
        Router r = router(name);
        RouterDefinition d = r.definition();
        List<RouterDefinition.MasqueradeSpec> list = new ArrayList<>(d.masquerades);
        if (!list.removeIf(x -> x.inside.equals(inside.network()))) {
            throw new IllegalArgumentException("router " + name + " does not masquerade " + inside.network());
        }
        RouterDefinition next = d.withMasquerades(list);
        putInForce(r, next);
    }

    /** Saves a router's new definition, then puts it in force (what cannot be saved changes nothing); returns the ports that went. */
    private List<RouterPort> putInForce(Router r, RouterDefinition next) {
        save(next);
        return r.apply(next);
    }

    private void save(RouterDefinition d) {
        try {
            store.save(d);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save router " + d.name + ": " + e.getMessage(), e);
        }
    }

    private static long checkMac(long mac) {
        if (MacAddress.isGroup(mac) || mac == 0) {
            throw new IllegalArgumentException("a router's MAC must be unicast: " + MacAddress.format(mac));
        }
        return mac;
    }
}
