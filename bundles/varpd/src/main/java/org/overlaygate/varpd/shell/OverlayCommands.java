package org.overlaygate.varpd.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.SnoopedFrame;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.shell.Args;
import org.overlaygate.api.shell.Commands;
import org.overlaygate.api.shell.TextTable;
import org.overlaygate.varpd.overlay.OverlayManager;
import org.overlaygate.varpd.overlay.OverlayView;

/** The {@code overlay:} commands, after illumos {@code dladm create-overlay} and friends. */
@Component(service = OverlayCommands.class)
@GogoCommand(scope = "overlay", function = {"create", "delete", "show", "modify", "stats", "snoop"})
public final class OverlayCommands {
    static final String CREATE_USAGE = "overlay:create -e ENCAP -s SEARCH [-i INVALIDATION] -v VNETID [-p PROP=VALUE ...] NAME";
    static final String SHOW_USAGE = "overlay:show [-f | -t] [-p -o FIELD,...] [NAME]";
    static final String MODIFY_USAGE = "overlay:modify -d MAC | -f | -s MAC=IP:PORT NAME";
    static final String SNOOP_USAGE = "overlay:snoop [-c COUNT] [-t SECONDS] [-w FILE.pcap] NAME";
    static final String DELETE_USAGE = "overlay:delete NAME";
    static final String STATS_USAGE = "overlay:stats [NAME]";
    /** What {@code -h} prints: the usage, then each option. */
    static final String CREATE_HELP = "usage: " + CREATE_USAGE + "\n"
            + "  creates overlay NAME and stores it (it comes back at every start)\n"
            + "  -e ENCAP         encapsulation plugin: vxlan, nvgre ... (overlay:plugins lists them)\n"
            + "  -s SEARCH        search plugin: direct, multicast ... (where a MAC lives)\n"
            + "  -i INVALIDATION  invalidation plugin, optional (tells peers a mapping went stale)\n"
            + "  -v VNETID        the vnet id (VXLAN VNI, NVGRE VSID); decimal or 0x hex\n"
            + "  -p PROP=VALUE    a property, repeatable or comma-separated: mtu, cache_max, accept=any|peers,\n"
            + "                   and the plugins' own, namespaced (vxlan/listen_ip, direct/dest_ip ...)";
    static final String DELETE_HELP = "usage: " + DELETE_USAGE + "\n"
            + "  deletes overlay NAME and forgets it; refused while VNICs are on it (vnic:delete them first)";
    static final String SHOW_HELP = "usage: " + SHOW_USAGE + "\n"
            + "  properties of every overlay, or of NAME (LINK PROPERTY PERM VALUE DEFAULT POSSIBLE)\n"
            + "  -f               status instead: ONLINE or DEGRADED, with every reason\n"
            + "  -t               flood targets and target cache instead (TARGET STATE ORIGIN AGE DESTINATION)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";
    static final String MODIFY_HELP = "usage: " + MODIFY_USAGE + "\n"
            + "  changes the target cache of a DYNAMIC overlay\n"
            + "  -d MAC           removes one entry (the next frame to MAC is looked up again)\n"
            + "  -f               flushes every entry\n"
            + "  -s MAC=IP:PORT   sets a static entry: it never ages and learning does not move it";
    static final String STATS_HELP = "usage: " + STATS_USAGE + "\n"
            + "  packets and bytes in and out per overlay, VNIC and underlay socket, cache hits and misses,\n"
            + "  pending frames, drops by reason and events (learned, moved, aged_out, proxied, upcall_dropped_* ...),\n"
            + "  and the I/O offloads of each underlay socket and TAP VNIC: on, or off and why\n"
            + "  what each drop reason and event means: docs/glossary.md (installed as\n"
            + "  /usr/share/doc/overlaygate/docs/glossary.md)";
    static final String SNOOP_HELP = "usage: " + SNOOP_USAGE + "\n"
            + "  prints the inner frames the overlay switches\n"
            + "  -c COUNT         stop after COUNT frames (10)\n"
            + "  -t SECONDS       stop after SECONDS (30)\n"
            + "  -w FILE.pcap     also write them as pcap, for tcpdump -r or Wireshark: a file name only,\n"
            + "                   written into the appliance's capture directory, snoop/ of its data directory\n"
            + "                   (no '/' or '..': the appliance writes nowhere else for a caller)";
    /** Generic overlay properties; everything else is namespaced by its plugin. */
    static final Set<String> GENERIC = Set.of("mtu", "cache_max", "accept");

    @Reference
    private OverlayManager manager;
    private SnoopFiles snoopFiles = new SnoopFiles(Paths.get("data"));

    public OverlayCommands() {
    }

    /** On a given manager, without DS (tests). */
    public OverlayCommands(OverlayManager manager) {
        this.manager = manager;
    }

    OverlayCommands(OverlayManager manager, Path dataDirectory) {
        this.manager = manager;
        this.snoopFiles = new SnoopFiles(dataDirectory);
    }

    @Activate
    void activate(BundleContext context) {
        String data = context.getProperty("overlaygate.data");
        if (data != null && !data.isBlank()) {
            snoopFiles = new SnoopFiles(Paths.get(data));
        }
    }

    @Descriptor("create an overlay: " + CREATE_USAGE
            + " (generic properties: mtu, cache_max, accept=any|peers; plugin properties are namespaced, e.g. vxlan/listen_ip; -i names an"
            + " invalidation plugin such as shootdown)")
    public String create(@Descriptor("options and NAME") String... args) throws Exception {
        return Commands.run(args, CREATE_HELP, () -> createCommand(args));
    }

    private String createCommand(String... args) {
        Args a = Args.parse(args, Set.of("-e", "-s", "-i", "-v", "-p"), Set.of(), CREATE_USAGE);
        String encap = a.required("-e", "ENCAP");
        String search = a.required("-s", "SEARCH");
        String invalidation = a.value("-i");
        long vnetId = parseNumber(a, "-v", a.required("-v", "VNETID"));
        String name = a.operand("NAME");
        Map<String, String> props = new LinkedHashMap<>();
        Integer mtu = null;
        Integer cacheMax = null;
        String accept = null;
        for (String p : a.all("-p")) {
            for (String kv : splitProperties(p)) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw a.error("property '" + kv + "' is not NAME=VALUE");
                }
                String key = kv.substring(0, eq).trim();
                String value = kv.substring(eq + 1).trim();
                if (props.containsKey(key) || (key.equals("mtu") && mtu != null) || (key.equals("cache_max") && cacheMax != null)
                        || (key.equals("accept") && accept != null)) {
                    throw a.error("property " + key + " given twice");
                }
                if (key.equals("mtu")) {
                    mtu = parseInt(a, key, value);
                } else if (key.equals("accept")) {
                    accept = value;
                } else if (key.equals("cache_max")) {
                    cacheMax = parseInt(a, key, value);
                    if (cacheMax < 1) {
                        throw a.error("cache_max must be at least 1");
                    }
                } else {
                    props.put(key, value);
                }
            }
        }
        OverlayView v = manager.create(name, encap, search, invalidation, vnetId, mtu, cacheMax, accept, props);
        return "overlay " + v.name + " created: " + v.encap + " vnet " + v.vnetId + ", " + v.search
                + (v.invalidation == null ? "" : ", invalidation " + v.invalidation) + ", mtu " + v.mtu + ", " + v.status()
                + (v.reasons.isEmpty() ? "" : " (" + String.join("; ", v.reasons) + ")") + "\n";
    }

    /**
     * Splits one {@code -p} argument into NAME=VALUE items at its commas, as dladm does: a piece
     * without '=' continues the value before it, so that list values
     * ({@code multicast/peers=10.0.0.2,10.0.0.3}, {@code geneve/options=0102:01:,0102:02:}) stay whole.
     */
    static List<String> splitProperties(String arg) {
        List<String> items = new ArrayList<>();
        for (String piece : arg.split(",", -1)) {
            if (piece.indexOf('=') < 0 && !items.isEmpty()) {
                items.set(items.size() - 1, items.get(items.size() - 1) + "," + piece);
            } else {
                items.add(piece);
            }
        }
        return items;
    }

    private static long parseNumber(Args a, String what, String text) {
        try {
            return text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw a.error(what + ": '" + text + "' is not a number");
        }
    }

    /** A number that fits an int, refused (not truncated) when it does not. */
    private static int parseInt(Args a, String what, String text) {
        long n = parseNumber(a, what, text);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw a.error(what + ": " + text + " is out of range (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) n;
    }

    @Descriptor("delete an overlay (refused while it has VNICs): overlay:delete NAME")
    public String delete(@Descriptor("NAME") String... args) throws Exception {
        return Commands.run(args, DELETE_HELP, () -> deleteCommand(args));
    }

    private String deleteCommand(String... args) {
        Args a = Args.parse(args, Set.of(), Set.of(), DELETE_USAGE);
        String name = a.operand("NAME");
        manager.delete(name);
        return "overlay " + name + " deleted\n";
    }

    @Descriptor("show overlays: properties (default), status (-f) or target cache (-t); -p -o FIELD,... for scripts: " + SHOW_USAGE)
    public String show(@Descriptor("options and NAME") String... args) throws Exception {
        return Commands.run(args, SHOW_HELP, () -> showCommand(args));
    }

    private String showCommand(String... args) {
        Args a = Args.parse(args, Set.of("-o"), Set.of("-f", "-t", "-p"), SHOW_USAGE);
        if (a.flag("-f") && a.flag("-t")) {
            throw a.error("-f and -t exclude each other");
        }
        if (a.flag("-p") != (a.value("-o") != null)) {
            throw a.error("-p and -o go together");
        }
        String name = a.optionalOperand("NAME");
        List<OverlayView> views = name == null ? manager.list() : List.of(manager.get(name));
        TextTable table;
        if (a.flag("-f")) {
            table = statusTable(views);
        } else if (a.flag("-t")) {
            table = targetTable(views);
        } else {
            table = propertyTable(views);
        }
        if (a.flag("-p")) {
            return table.renderParseable(List.of(a.value("-o").split(",")));
        }
        if (views.isEmpty()) {
            return "no overlays\n";
        }
        return table.render();
    }

    private TextTable statusTable(List<OverlayView> views) {
        TextTable t = new TextTable("LINK", "STATUS", "DETAILS");
        for (OverlayView v : views) {
            t.row(v.name, v.status(), v.reasons.isEmpty() ? null : String.join("; ", v.reasons));
        }
        return t;
    }

    private TextTable targetTable(List<OverlayView> views) {
        TextTable t = new TextTable("LINK", "TARGET", "STATE", "ORIGIN", "AGE", "DESTINATION");
        for (OverlayView v : views) {
            OverlayDevice d = v.device;
            if (d == null) {
                continue;
            }
            if (v.mode == SearchMode.POINT) {
                UnderlayAddress p = d.pointDestination();
                t.row(v.name, "*", p == null ? "none" : "valid", "plugin", null, p == null ? "none" : p.toString());
                continue;
            }
            List<UnderlayAddress> flood = d.floodTargets();
            t.row(v.name, "flood", flood.isEmpty() ? "none" : "valid", "plugin", null, flood.isEmpty() ? "none" : join(flood));
            for (TargetEntry e : d.targets()) {
                String dest;
                switch (e.state()) {
                    case VALID:
                        dest = join(e.destinations());
                        break;
                    case DROP:
                        dest = "drop";
                        break;
                    default:
                        dest = e.pendingFrames() + " frames waiting";
                }
                t.row(v.name, MacAddress.format(e.mac()), e.state().name().toLowerCase(Locale.ROOT), origin(e.origin(), v.search),
                        age(e.ageMillis()), dest);
            }
        }
        return t;
    }

    /** Where an entry came from: learned, static, or the name of the search plugin that looked it up ({@code katar}). */
    private static String origin(TargetEntry.Origin origin, String search) {
        switch (origin) {
            case LEARNED:
                return "learned";
            case STATIC:
                return "static";
            default:
                return search;
        }
    }

    /** An age as an operator reads it: 850ms, 42s, 17m, 3h. */
    static String age(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        long s = millis / 1000;
        return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m" : (s / 3600) + "h";
    }

    private static String join(List<UnderlayAddress> dests) {
        List<String> s = new ArrayList<>();
        dests.forEach(d -> s.add(d.toString()));
        return String.join(",", s);
    }

    private TextTable propertyTable(List<OverlayView> views) {
        TextTable t = new TextTable("LINK", "PROPERTY", "PERM", "VALUE", "DEFAULT", "POSSIBLE");
        for (OverlayView v : views) {
            t.row(v.name, "encap", "r-", v.encap, null, null);
            t.row(v.name, "search", "r-", v.search, null, null);
            t.row(v.name, "invalidation", "r-", v.invalidation == null ? "none" : v.invalidation, "none", null);
            String range = manager.vnetRange(v.encap);
            t.row(v.name, "vnetid", "r-", v.vnetId, null, range);
            t.row(v.name, "mtu", "r-", v.mtu, null, OverlayManager.MTU_MIN + "-" + OverlayManager.MTU_MAX);
            if (v.mode == SearchMode.DYNAMIC) {
                t.row(v.name, "cache_max", "r-", v.cacheMax, 65536, "1-" + Integer.MAX_VALUE);
            }
            t.row(v.name, "accept", "r-", v.accept, "any", "any,peers");
            List<PropertySpec> specs = manager.propertySpecs(v.name);
            List<String> shown = new ArrayList<>();
            for (PropertySpec s : specs) {
                String value = v.properties.containsKey(s.name()) ? v.properties.get(s.name()) : s.defaultValue();
                t.row(v.name, s.name(), "r-", value, s.defaultValue(), s.possibleText());
                shown.add(s.name());
            }
            v.properties.forEach((k, value) -> {
                if (!shown.contains(k)) { // DHCP's (changed by dhcp:set), or its plugin is absent: show what is stored
                    t.row(v.name, k, org.overlaygate.varpd.dhcp.DhcpConfig.isDhcpKey(k) ? "rw" : "r-", value, null, null);
                }
            });
        }
        return t;
    }

    @Descriptor("change an overlay's target cache: " + MODIFY_USAGE)
    public String modify(@Descriptor("options and NAME") String... args) throws Exception {
        return Commands.run(args, MODIFY_HELP, () -> modifyCommand(args));
    }

    private String modifyCommand(String... args) {
        Args a = Args.parse(args, Set.of("-d", "-s"), Set.of("-f"), MODIFY_USAGE);
        String name = a.operand("NAME");
        int actions = (a.value("-d") != null ? 1 : 0) + (a.value("-s") != null ? 1 : 0) + (a.flag("-f") ? 1 : 0);
        if (actions != 1) {
            throw a.error("give exactly one of -d, -f, -s");
        }
        OverlayView v = manager.get(name);
        if (v.mode == SearchMode.POINT) {
            throw new IllegalArgumentException("overlay " + name + " uses the point-mode search plugin " + v.search
                    + ": it has one fixed destination and no target cache to modify");
        }
        OverlayDevice d = manager.device(name);
        if (a.flag("-f")) {
            int n = d.targets().size();
            d.flushTargets();
            return "overlay " + name + ": " + n + " target entries flushed\n";
        }
        if (a.value("-d") != null) {
            long mac = parseMac(a.value("-d"));
            d.invalidate(mac);
            return "overlay " + name + ": target " + MacAddress.format(mac) + " removed\n";
        }
        String set = a.value("-s");
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw a.error("-s takes MAC=IP:PORT");
        }
        long mac = parseMac(set.substring(0, eq));
        if (MacAddress.isGroup(mac)) {
            throw new IllegalArgumentException("target " + MacAddress.format(mac) + " is a group address; set unicast targets only");
        }
        UnderlayAddress dest = UnderlayAddress.parse(set.substring(eq + 1));
        d.setTarget(mac, dest, TargetEntry.Origin.STATIC);
        return "overlay " + name + ": target " + MacAddress.format(mac) + " -> " + dest + " (static: never ages)\n";
    }

    static long parseMac(String text) {
        return MacAddress.parse(text);
    }

    @Descriptor("counters of overlays and their VNICs, drops by reason, underlay sockets, cache and lookup events"
            + " (learned, moved, aged_out, refreshed, proxied, invalidations ...), and the I/O offloads of each underlay socket"
            + " and TAP VNIC (on, or off and why): overlay:stats [NAME]")
    public String stats(@Descriptor("NAME") String... args) throws Exception {
        return Commands.run(args, STATS_HELP, () -> statsCommand(args));
    }

    private String statsCommand(String... args) {
        Args a = Args.parse(args, Set.of(), Set.of(), STATS_USAGE);
        String name = a.optionalOperand("NAME");
        List<OverlayView> views = name == null ? manager.list() : List.of(manager.get(name));
        TextTable links = new TextTable("LINK", "IPKTS", "RBYTES", "OPKTS", "OBYTES", "DROPS", "HITS", "MISSES", "ENTRIES", "PENDING");
        TextTable ports = new TextTable("VNIC", "OVER", "IPKTS", "RBYTES", "OPKTS", "OBYTES", "DROPS");
        TextTable drops = new TextTable("LINK", "REASON", "COUNT");
        TextTable events = new TextTable("LINK", "EVENT", "COUNT");
        for (OverlayView v : views) {
            if (v.device == null) {
                links.row(v.name, null, null, null, null, null, null, null, null, null);
                continue;
            }
            DeviceStats s = v.device.stats();
            DeviceStats.Counters c = s.counters();
            links.row(v.name, c.packetsIn(), c.bytesIn(), c.packetsOut(), c.bytesOut(), c.totalDrops(), s.cacheHits(), s.cacheMisses(),
                    s.cacheEntries(), s.pendingFrames());
            c.drops().forEach((reason, n) -> drops.row(v.name, reason, n));
            s.events().forEach((event, n) -> events.row(v.name, event, n));
            v.searchStats.forEach((stat, n) -> events.row(v.name, v.search + "/" + stat, n));
            for (DeviceStats.Counters p : s.vnics()) {
                ports.row(p.name(), v.name, p.packetsIn(), p.bytesIn(), p.packetsOut(), p.bytesOut(), p.totalDrops());
                p.drops().forEach((reason, n) -> drops.row(p.name(), reason, n));
            }
        }
        StringBuilder out = new StringBuilder(links.render());
        if (!ports.isEmpty()) {
            out.append('\n').append(ports.render());
        }
        if (name == null) {
            TextTable underlays = new TextTable("UNDERLAY", "IPKTS", "RBYTES", "OPKTS", "OBYTES", "DROPS");
            for (DeviceStats.Counters u : manager.requireDataPath().underlayStats()) {
                underlays.row(u.name(), u.packetsIn(), u.bytesIn(), u.packetsOut(), u.bytesOut(), u.totalDrops());
                u.drops().forEach((reason, n) -> drops.row(u.name(), reason, n));
            }
            if (!underlays.isEmpty()) {
                out.append('\n').append(underlays.render());
            }
        }
        if (!drops.isEmpty()) {
            out.append('\n').append(drops.render());
        }
        if (!events.isEmpty()) {
            out.append('\n').append(events.render());
        }
        TextTable offloads = offloadTable(name == null ? null : views.get(0));
        if (!offloads.isEmpty()) {
            out.append('\n').append(offloads.render());
        }
        return out.toString();
    }

    /**
     * The I/O offloads of every underlay socket and TAP VNIC, or of one overlay's VNICs: one row per
     * feature, "on" or "off: why".
     */
    private TextTable offloadTable(OverlayView only) {
        TextTable t = new TextTable("SOCKET/VNIC", "OFFLOAD", "STATE");
        Set<String> vnics = null;
        if (only != null) {
            vnics = new java.util.HashSet<>();
            if (only.device != null) {
                for (DeviceStats.Counters p : only.device.stats().vnics()) {
                    vnics.add(p.name());
                }
            }
        }
        for (Map.Entry<String, Map<String, String>> e : manager.requireDataPath().offloads().entrySet()) {
            if (vnics != null && !vnics.contains(e.getKey())) {
                continue;
            }
            e.getValue().forEach((feature, state) -> t.row(e.getKey(), feature, state));
        }
        return t;
    }

    /** Opens the capture file, or says in one line why it cannot be written. */
    private PcapWriter openPcap(Path file) {
        java.io.OutputStream out = snoopFiles.open(file);
        try {
            return PcapWriter.create(out);
        } catch (IOException e) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the error below says it
            }
            throw new IllegalArgumentException("cannot write " + file + ": " + e.getMessage());
        }
    }

    @Descriptor("capture inner frames of an overlay, printed and optionally written as pcap: " + SNOOP_USAGE)
    public String snoop(@Descriptor("options and NAME") String... args) throws Exception {
        return Commands.run(args, SNOOP_HELP, () -> snoopCommand(args));
    }

    private String snoopCommand(String... args) throws IOException, InterruptedException {
        Args a = Args.parse(args, Set.of("-c", "-t", "-w"), Set.of(), SNOOP_USAGE);
        String name = a.operand("NAME");
        int count = a.value("-c") == null ? 10 : parseInt(a, "-c", a.value("-c"));
        int seconds = a.value("-t") == null ? 30 : parseInt(a, "-t", a.value("-t"));
        if (count < 1 || count > 1_000_000 || seconds < 1 || seconds > 86_400) {
            throw a.error("COUNT must be 1-1000000 and SECONDS 1-86400");
        }
        Path file = a.value("-w") == null ? null : snoopFiles.resolve(a.value("-w"));
        OverlayDevice d = manager.device(name);
        BlockingQueue<SnoopedFrame> frames = new ArrayBlockingQueue<>(4096);
        PrintStream out = System.out;
        int captured = 0;
        try (PcapWriter pcap = file == null ? null : openPcap(file); AutoCloseable tap = d.snoop(frames::offer)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (captured < count) {
                long left = deadline - System.nanoTime();
                SnoopedFrame f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
                if (f == null) {
                    break;
                }
                captured++;
                if (pcap != null) {
                    pcap.write(f);
                }
                out.println(FrameSummary.describe(f));
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("snoop failed: " + e.getMessage());
        }
        return captured + " frame" + (captured == 1 ? "" : "s") + " captured on " + name + (file == null ? "" : ", written to " + file) + "\n";
    }
}
