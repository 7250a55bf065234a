package org.overlaygate.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.Measurements;
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.datapath.VnicInfo;

/**
 * The web console's "Overlays" page ({@code /system/console/overlays}): overlays with their status
 * and reasons, cache figures, drops by reason, events, the upcall queue, the search plugins' own
 * readings, the underlay sockets with their offloads, plugins, VNICs, target caches, and a live
 * plot of packets and bytes per second per overlay and VNIC. The page is drawn in the browser from {@code overlays/data.json}, which it
 * fetches again every two seconds; the first data come inline with the page.
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + OverlaysPage.LABEL, "felix.webconsole.title=Overlays",
    "felix.webconsole.category=Overlay Gate"})
public final class OverlaysPage extends AbstractServlet {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "overlays";
    /** Target cache entries shown per overlay (a cache may hold 65,536). */
    static final int TARGETS_SHOWN = 50;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile DataPath dataPath;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile OverlayStatus status;
    @Reference
    private transient RateHistory rates;

    public OverlaysPage() {
    }

    OverlaysPage(DataPath dataPath, OverlayStatus status, RateHistory rates) {
        this.dataPath = dataPath;
        this.status = status;
        this.rates = rates;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        String path = request.getPathInfo();
        if (path != null && path.endsWith("/data.json")) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            setNoCache(response);
            response.getWriter().write(data());
            return;
        }
        super.doGet(request, response); // the console then draws the page around renderContent
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PrintWriter out = response.getWriter();
        out.print(resource("overlays.html"));
        out.print("<script id=\"og-data\" type=\"application/json\">");
        out.print(data());
        out.println("</script>");
        out.print("<script>");
        out.print(resource("overlays.js"));
        out.println("</script>");
    }

    private String resource(String name) throws IOException {
        try (InputStream in = OverlaysPage.class.getResourceAsStream("/res/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Everything the page shows, as JSON. */
    String data() {
        Json j = new Json().open('{');
        j.key("time").value(System.currentTimeMillis());
        OverlayStatus st = status;
        DataPath dp = dataPath;
        Map<String, String> searchOf = new HashMap<>();
        j.key("overlays").open('[');
        Map<String, OverlayDevice> devices = new TreeMap<>();
        if (dp != null) {
            dp.devices().forEach(d -> devices.put(d.name(), d));
        }
        if (st != null) {
            for (OverlayStatus.Overlay o : st.overlays()) {
                searchOf.put(o.name(), o.search());
                j.open('{').key("name").value(o.name()).key("status").value(o.online() ? "ONLINE" : "DEGRADED").key("reasons").strings(o.reasons())
                        .key("encap").value(o.encapsulation()).key("search").value(o.search()).key("invalidation").value(o.invalidation())
                        .key("vnet").value(o.vnetId()).key("mtu").value(o.mtu());
                OverlayDevice d = devices.get(o.name());
                if (d != null) {
                    deviceFigures(j, d);
                }
                j.close('}');
            }
        }
        j.close(']');
        j.key("varpd").value(st == null ? "absent" : "running");
        j.key("plugins").open('[');
        for (OverlayStatus.Plugin p : st == null ? List.<OverlayStatus.Plugin>of() : st.plugins()) {
            j.open('{').key("kind").value(p.kind()).key("name").value(p.name()).key("detail").value(p.detail()).key("bundle").value(p.bundle())
                    .key("version").value(p.version()).close('}');
        }
        j.close(']');
        j.key("search").open('[');
        if (st != null) {
            for (Map.Entry<String, Measurements> e : new TreeMap<>(st.searchMeasurements()).entrySet()) {
                searchFigures(j, e.getKey(), searchOf.get(e.getKey()), e.getValue());
            }
        }
        j.close(']');
        j.key("datapath").value(dp == null ? "absent" : "running");
        j.key("upcall_queue").value(dp == null ? 0 : dp.queuedUpcalls());
        Map<String, Map<String, String>> offloads = dp == null ? Map.of() : dp.offloads();
        j.key("sockets").open('[');
        if (dp != null) {
            for (DeviceStats.Counters u : dp.underlayStats()) {
                j.open('{').key("name").value(u.name()).key("pin").value(u.packetsIn()).key("pout").value(u.packetsOut()).key("bin")
                        .value(u.bytesIn()).key("bout").value(u.bytesOut());
                counts(j.key("drops"), u.drops());
                strings(j.key("offloads"), offloads.getOrDefault(u.name(), Map.of()));
                j.close('}');
            }
        }
        j.close(']');
        j.key("vnics").open('[');
        if (dp != null) {
            Map<String, DeviceStats.Counters> vnicCounters = new HashMap<>();
            devices.values().forEach(d -> d.stats().vnics().forEach(v -> vnicCounters.put(v.name(), v)));
            for (VnicInfo v : dp.vnics()) {
                j.open('{').key("name").value(v.name()).key("overlay").value(v.device()).key("kind").value(v.kind().name().toLowerCase(Locale.ROOT))
                        .key("device").value(v.osName()).key("mac").value(MacAddress.format(v.mac())).key("mtu").value(v.mtu());
                DeviceStats.Counters c = vnicCounters.get(v.name());
                counts(j.key("drops"), c == null ? Map.of() : c.drops());
                strings(j.key("offloads"), offloads.getOrDefault(v.name(), Map.of()));
                j.close('}');
            }
        }
        j.close(']');
        j.key("targets").open('[');
        for (OverlayDevice d : devices.values()) {
            List<TargetEntry> entries = d.targets();
            for (TargetEntry e : entries.subList(0, Math.min(TARGETS_SHOWN, entries.size()))) {
                List<String> dest = new ArrayList<>();
                e.destinations().forEach(a -> dest.add(a.toString()));
                j.open('{').key("overlay").value(d.name()).key("mac").value(MacAddress.format(e.mac()))
                        .key("state").value(e.state().name().toLowerCase(Locale.ROOT)).key("origin").value(origin(e.origin(), searchOf.get(d.name())))
                        .key("age_ms").value(e.ageMillis()).key("destination").value(destination(e, dest)).close('}');
            }
            if (entries.size() > TARGETS_SHOWN) {
                j.open('{').key("overlay").value(d.name()).key("more").value(entries.size() - TARGETS_SHOWN).close('}');
            }
        }
        j.close(']');
        j.key("series").open('[');
        for (RateHistory.Snapshot s : rates.snapshot()) {
            j.open('{').key("kind").value(s.kind()).key("name").value(s.name()).key("overlay").value(s.overlay()).key("t").numbers(s.times())
                    .key("pin").numbers(s.rates()[0]).key("pout").numbers(s.rates()[1]).key("bin").numbers(s.rates()[2])
                    .key("bout").numbers(s.rates()[3]).close('}');
        }
        j.close(']');
        j.key("window_ms").value(RateHistory.SAMPLES * RateHistory.PERIOD_MS);
        return j.close('}').toString();
    }

    /** An overlay's own figures from the data path: cache, pending frames, drops by reason, events. */
    private static void deviceFigures(Json j, OverlayDevice d) {
        DeviceStats s = d.stats();
        Map<TargetEntry.State, Integer> byState = new EnumMap<>(TargetEntry.State.class);
        for (TargetEntry.State state : TargetEntry.State.values()) {
            byState.put(state, 0);
        }
        d.targets().forEach(e -> byState.merge(e.state(), 1, Integer::sum));
        j.key("cache_hits").value(s.cacheHits()).key("cache_misses").value(s.cacheMisses()).key("pending_frames").value(s.pendingFrames());
        j.key("entries").open('{');
        byState.forEach((state, n) -> j.key(state.name().toLowerCase(Locale.ROOT)).value(n));
        j.close('}');
        counts(j.key("drops"), s.counters().drops());
        counts(j.key("events"), s.events());
    }

    /** What a search instance measures of itself: readings (a katar overlay's connections up) and counts. */
    private static void searchFigures(Json j, String overlay, String search, Measurements m) {
        Map<String, Double> gauges;
        Map<String, Long> counters;
        try {
            gauges = new TreeMap<>(m.gauges());
            counters = new TreeMap<>(m.counters());
        } catch (RuntimeException | LinkageError e) {
            return; // the plugin is being replaced: nothing to show this time
        }
        j.open('{').key("overlay").value(overlay).key("search").value(search).key("gauges").open('{');
        gauges.forEach((k, v) -> j.key(k).value(v));
        j.close('}');
        counts(j.key("counters"), counters);
        j.close('}');
    }

    /** Counts other than 0, by name, sorted. */
    private static void counts(Json j, Map<String, Long> counts) {
        j.open('{');
        new TreeMap<>(counts).forEach((k, v) -> {
            if (v != 0) {
                j.key(k).value(v);
            }
        });
        j.close('}');
    }

    private static void strings(Json j, Map<String, String> values) {
        j.open('{');
        new TreeMap<>(values).forEach((k, v) -> j.key(k).value(v));
        j.close('}');
    }

    /** Where an entry came from, as {@code overlay:show -t} names it: learned, static, or the search plugin that looked it up. */
    static String origin(TargetEntry.Origin origin, String search) {
        switch (origin) {
            case LEARNED:
                return "learned";
            case STATIC:
                return "static";
            default:
                return search == null ? "lookup" : search;
        }
    }

    /** Where frames to the entry go, as {@code overlay:show -t} says it. */
    private static String destination(TargetEntry e, List<String> dest) {
        switch (e.state()) {
            case VALID:
                return String.join(",", dest);
            case DROP:
                return "drop";
            default:
                return e.pendingFrames() + " frames waiting";
        }
    }
}
