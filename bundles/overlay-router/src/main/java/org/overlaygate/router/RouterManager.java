package org.overlaygate.router;

import java.io.IOException;
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

    @Reference
    private DataPath dataPath;
    @Reference
    private ConfigurationAdmin configAdmin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AddressLookup addressLookup;

    private final Map<String, Router> routers = new TreeMap<>();
    private final LongSupplier clock;
    private RouterStore store;
    private ScheduledExecutorService timer;

    public RouterManager() {
        this.clock = System::nanoTime;
    }

    /** For tests: a data path, a store and a clock of the test's; no timer (call {@link #tick}). */
    RouterManager(DataPath dataPath, RouterStore store, LongSupplier clock) {
        this.dataPath = dataPath;
        this.store = store;
        this.clock = clock;
    }

    @Activate
    void activate() throws IOException {
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
            for (RouterPort p : r.config().ports) {
                p.detach("router bundle stopped");
            }
        }
        routers.clear();
    }

    synchronized void restore() throws IOException {
        for (RouterDefinition d : store.load()) {
            routers.put(d.name, newRouter(d));
        }
        tick();
        LOG.info("{} router(s) restored", routers.size());
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
        Optional<OverlayDevice> device = dataPath.device(p.overlay);
        var attached = p.attached;
        if (attached != null) {
            if (device.isEmpty() || device.get() != attached.overlay()) {
                p.detach("overlay " + p.overlay + " is gone");
                LOG.info("router {}: detached from {}: the overlay is gone", p.router.name, p.overlay);
            }
            return;
        }
        long now = clock.getAsLong();
        if (p.lastAttempt != 0 && now - p.lastAttempt < ATTACH_RETRY_NANOS) {
            return;
        }
        p.lastAttempt = now == 0 ? 1 : now;
        if (device.isEmpty()) {
            p.fault = "no overlay " + p.overlay + " here";
            return;
        }
        try {
            p.attached = device.get().attachPort(p.name(), p.mac, true, p);
            p.fault = null;
            LOG.info("router {}: attached to {} as {}", p.router.name, p.overlay, MacAddress.format(p.mac));
        } catch (DataPathException | RuntimeException e) {
            p.fault = "cannot attach: " + e.getMessage();
        }
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
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("router " + name + " needs at least one ADDRESS/PREFIX on " + overlay);
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
        List<RouterDefinition.PortDefinition> ports = new ArrayList<>(d.ports);
        ports.add(new RouterDefinition.PortDefinition(overlay, mac == -1 ? d.mac : checkMac(mac), addresses));
        RouterDefinition next = d.withPorts(ports);
        putInForce(r, next);
        RouterPort port = null;
        for (RouterPort p : r.config().ports) {
            if (p.overlay.equals(overlay)) {
                port = p;
                reconcile(p);
            }
        }
        return port;
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
