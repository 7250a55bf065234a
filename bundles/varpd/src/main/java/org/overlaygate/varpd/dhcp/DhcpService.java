package org.overlaygate.varpd.dhcp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.search.DhcpHint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every overlay's DHCP servers: for each network its {@code dhcp/} properties define (and, when the
 * search plugin names DHCP servers to proxy to, for the untagged network and every VLAN of the
 * overlay's VNICs), a port attached to the overlay's device on that VLAN with a {@link DhcpServer}
 * behind it. {@link #sync} brings an overlay's ports in line with what varpd has (called under the
 * overlay's monitor whenever it is reconciled or its DHCP properties change); lease tables outlive
 * their ports (a device replaced, the plugin rebound) and are kept in the data directory
 * ({@link LeaseFile}), so an appliance restarted keeps them. One DHCP thread, with a bounded queue,
 * parses and answers every overlay's messages.
 */
public final class DhcpService {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpService.class);
    /** Messages waiting for the DHCP thread beyond this are dropped ({@code dhcp_queue_full}). */
    static final int QUEUE = 1024;
    /** The server ports' MACs: locally administered, {@code 02:dc:} then 20 bits of the vnet id and 12 of the VLAN. */
    static final long MAC_PREFIX = 0x02DC_0000_0000L;

    /** What the service needs to know of an overlay, read from varpd's state when it syncs. */
    public interface Overlay {
        String name();

        long vnetId();

        int mtu();

        Map<String, String> properties();

        /** Its device, or null while it has none. */
        OverlayDevice device();

        /** Whether its search instance names DHCP servers to proxy to. */
        boolean proxiesDhcp();

        /** What its search instance knows of a client ({@link DhcpHint#NONE} without an instance). */
        CompletionStage<DhcpHint> hint(long mac, int vlan);

        /** The MAC its search instance's address mappings give an IPv4 address (0: none known), as its ARP proxy would answer. */
        CompletionStage<Long> ownerOf(int address, int vlan);

        /** The VLANs of its VNICs. */
        Set<Integer> vnicVlans();
    }

    /** A lease as {@code dhcp:leases} shows it. */
    public static final class LeaseView {
        public final int vlan;
        public final String address;
        public final long mac;
        public final String state;
        /** Wall-clock milliseconds. */
        public final long expires;

        LeaseView(int vlan, LeaseTable.Lease l) {
            this.vlan = vlan;
            this.address = DhcpConfig.format(l.address);
            this.mac = l.mac;
            this.state = l.state.name().toLowerCase(java.util.Locale.ROOT);
            this.expires = l.expires;
        }
    }

    private final class Served {
        final String name;
        final LeaseFile file;
        final Map<Integer, LeaseTable> tables = new ConcurrentHashMap<>();
        final Map<Integer, AttachedPort> ports = new TreeMap<>();
        /** The leases read from the file and not yet given to a table (a VLAN not configured yet). */
        Map<Integer, List<LeaseTable.Lease>> kept;
        OverlayDevice device;
        DhcpConfig config;
        boolean proxies;
        Set<Integer> proxyVlans = Set.of();
        volatile Overlay overlay;

        Served(String name) {
            this.name = name;
            this.file = new LeaseFile(directory, name);
            this.kept = file.read();
        }

        /** On the DHCP thread; under this object's monitor, as {@link #sync} changes {@link #kept} and the tables under it. */
        synchronized void write() {
            if (served.get(name) != this) {
                return; // the overlay was deleted meanwhile: its file must not come back
            }
            Map<Integer, List<LeaseTable.Lease>> all = new TreeMap<>(kept);
            tables.forEach((v, t) -> all.put(v, t.leases()));
            try {
                file.write(all);
            } catch (IOException e) {
                count(this, DhcpEvents.LEASES_NOT_WRITTEN);
                LOG.error("DHCP leases of overlay {} cannot be written to {}: {}", name, file.path(), e.getMessage());
            }
        }
    }

    private final Path directory;
    private final LongSupplier clock;
    private final ThreadPoolExecutor thread;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final GatewayLookup gatewayLookup;

    /** Where the default gateway of an overlay's VLAN comes from (the routers' {@code GatewayAddresses}). */
    public interface GatewayLookup {
        /** The gateway's address, or 0. */
        int gatewayOf(String overlay, int vlan);
    }

    /**
     * @param directory where lease files are kept
     * @param clock wall-clock milliseconds
     */
    public DhcpService(Path directory, LongSupplier clock, GatewayLookup gateways) {
        this.directory = directory;
        this.clock = clock;
        this.gatewayLookup = gateways;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "og-varpd-dhcp");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    static long serverMac(long vnetId, int vlan) {
        return MAC_PREFIX | ((vnetId & 0xFFFFF) << 12) | (vlan == DhcpConfig.NO_VLAN ? 0 : vlan);
    }

    /**
     * Brings the overlay's DHCP ports in line with its properties, device and search instance.
     * Properties are assumed valid (checked when they were given); one a stored definition holds
     * that no longer parses is logged and serves nothing.
     */
    public void sync(Overlay o) {
        DhcpConfig config;
        try {
            config = DhcpConfig.parse(o.properties());
        } catch (IllegalArgumentException e) {
            LOG.error("overlay {}: DHCP not served: {}", o.name(), e.getMessage());
            config = DhcpConfig.parse(Map.of());
        }
        boolean proxies = o.device() != null && proxiesSafely(o);
        Served s = served.get(o.name());
        if (s == null) {
            if (config.isEmpty() && !proxies) {
                return; // nothing to serve and nothing kept: the common case costs nothing
            }
            s = new Served(o.name());
            served.put(o.name(), s);
        }
        synchronized (s) {
            s.overlay = o;
            Set<Integer> proxyVlans = proxies ? proxyVlans(o) : Set.of();
            OverlayDevice device = o.device();
            if (device == s.device && config.scopes().equals(s.config == null ? null : s.config.scopes()) && proxies == s.proxies
                    && proxyVlans.equals(s.proxyVlans)) {
                return;
            }
            closePorts(s);
            s.device = device;
            s.config = config;
            s.proxies = proxies;
            s.proxyVlans = proxyVlans;
            // tables: kept for networks whose scope did not change, rebuilt (with the leases that still fit) for those that did
            for (Integer vlan : new ArrayList<>(s.tables.keySet())) {
                Scope now = config.scopes().get(vlan);
                LeaseTable t = s.tables.get(vlan);
                if (now == null || !now.equals(t.scope())) {
                    s.tables.remove(vlan);
                    s.kept.put(vlan, t.leases());
                }
            }
            for (Map.Entry<Integer, Scope> e : config.scopes().entrySet()) {
                if (!s.tables.containsKey(e.getKey())) {
                    LeaseTable t = new LeaseTable(e.getValue(), clock);
                    List<LeaseTable.Lease> kept = s.kept.remove(e.getKey());
                    if (kept != null) {
                        int n = t.restore(kept);
                        LOG.info("overlay {}: {} DHCP leases of the {} network restored", o.name(), n, e.getValue().name());
                    }
                    s.tables.put(e.getKey(), t);
                }
            }
            if (device == null) {
                return;
            }
            Set<Integer> vlans = new TreeSet<>(config.scopes().keySet());
            vlans.addAll(proxyVlans);
            for (int vlan : vlans) {
                long mac = serverMac(o.vnetId(), vlan);
                String portName = "dhcp." + o.name() + (vlan == DhcpConfig.NO_VLAN ? "" : "." + vlan);
                Served owner = s;
                DhcpServer server = new DhcpServer(portName, vlan, mac, s.tables.get(vlan), thread, new DhcpServer.Backend() {
                    @Override
                    public CompletionStage<DhcpHint> hint(long client, int v) {
                        return owner.overlay.hint(client, v);
                    }

                    @Override
                    public CompletionStage<Long> ownerOf(int address, int v) {
                        return owner.overlay.ownerOf(address, v);
                    }

                    @Override
                    public int gateway(int v) {
                        return gatewayLookup.gatewayOf(owner.name, v);
                    }

                    @Override
                    public int mtu() {
                        return owner.overlay.mtu();
                    }

                    @Override
                    public void count(String event) {
                        DhcpService.this.count(owner, event);
                    }

                    @Override
                    public void leasesChanged() {
                        owner.write();
                    }
                });
                try {
                    AttachedPort port = device.attachPort(portName, mac, true, vlan, server);
                    server.attached(port);
                    s.ports.put(vlan, port);
                    LOG.info("overlay {}: DHCP {} on the {} network ({}, MAC {})", o.name(), server.table() == null ? "proxy" : "server",
                            vlan == DhcpConfig.NO_VLAN ? "untagged" : "VLAN " + vlan,
                            server.table() == null ? "to the servers the search plugin names" : server.table().scope().toString(),
                            MacAddress.format(mac));
                } catch (DataPathException | RuntimeException e) {
                    LOG.error("overlay {}: DHCP on the {} network not served: {}", o.name(), vlan == DhcpConfig.NO_VLAN ? "untagged" : "VLAN " + vlan,
                            e.getMessage());
                }
            }
        }
    }

    private static boolean proxiesSafely(Overlay o) {
        try {
            return o.proxiesDhcp();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Set<Integer> proxyVlans(Overlay o) {
        Set<Integer> v = new TreeSet<>(o.vnicVlans());
        v.add(DhcpConfig.NO_VLAN);
        return v;
    }

    private static void closePorts(Served s) {
        for (AttachedPort p : s.ports.values()) {
            p.close();
        }
        s.ports.clear();
        s.device = null;
    }

    /** The overlay was deleted: its ports and its lease file go. */
    public void removed(String overlay) {
        Served s = served.remove(overlay);
        if (s != null) {
            synchronized (s) {
                closePorts(s);
                s.file.delete();
            }
        }
    }

    /** Detaches every port (varpd stops); leases are on disk already. */
    public void stop() {
        for (Served s : served.values()) {
            synchronized (s) {
                closePorts(s);
            }
        }
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The overlay's leases, by VLAN and address; empty when it serves no DHCP. */
    public List<LeaseView> leases(String overlay) {
        Served s = served.get(overlay);
        List<LeaseView> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        Map<Integer, LeaseTable> tables = new TreeMap<>(s.tables);
        tables.forEach((vlan, t) -> t.leases().forEach(l -> out.add(new LeaseView(vlan, l))));
        return out;
    }

    /** What each network served is, by VLAN, for {@code dhcp:show}. */
    public Map<Integer, String> networks(String overlay) {
        Served s = served.get(overlay);
        Map<Integer, String> out = new LinkedHashMap<>();
        if (s != null) {
            synchronized (s) {
                for (Integer vlan : s.ports.keySet()) {
                    LeaseTable t = s.tables.get(vlan);
                    out.put(vlan, t == null ? "proxy" : t.scope().toString());
                }
            }
        }
        return out;
    }

    private void count(Served s, String event) {
        OverlayDevice d = s.device;
        if (d != null) {
            d.countEvent(event);
        }
    }

    /** For tests: runs what is queued for the DHCP thread, and waits for it. */
    void drain() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        thread.execute(done::countDown);
        done.await(10, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "DHCP service of " + served.keySet() + " in " + Objects.toString(directory);
    }
}
