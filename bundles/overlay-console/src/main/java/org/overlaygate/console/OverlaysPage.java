package org.overlaygate.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.datapath.VnicInfo;

/**
 * The web console's "Overlays" page ({@code /system/console/overlays}): overlays with their status
 * and reasons, plugins, VNICs, target caches, and a live plot of packets and bytes per second per
 * overlay and VNIC. The page is drawn in the browser from {@code overlays/data.json}, which it
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
        j.key("overlays").open('[');
        OverlayStatus st = status;
        if (st != null) {
            for (OverlayStatus.Overlay o : st.overlays()) {
                j.open('{').key("name").value(o.name()).key("status").value(o.online() ? "ONLINE" : "DEGRADED").key("reasons").strings(o.reasons())
                        .key("encap").value(o.encapsulation()).key("search").value(o.search()).key("invalidation").value(o.invalidation())
                        .key("vnet").value(o.vnetId()).key("mtu").value(o.mtu()).close('}');
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
        DataPath dp = dataPath;
        j.key("datapath").value(dp == null ? "absent" : "running");
        j.key("vnics").open('[');
        if (dp != null) {
            for (VnicInfo v : dp.vnics()) {
                j.open('{').key("name").value(v.name()).key("overlay").value(v.device()).key("kind").value(v.kind().name().toLowerCase(Locale.ROOT))
                        .key("device").value(v.osName()).key("mac").value(MacAddress.format(v.mac())).key("mtu").value(v.mtu()).close('}');
            }
        }
        j.close(']');
        j.key("targets").open('[');
        if (dp != null) {
            for (OverlayDevice d : dp.devices()) {
                List<TargetEntry> entries = d.targets();
                for (TargetEntry e : entries.subList(0, Math.min(TARGETS_SHOWN, entries.size()))) {
                    List<String> dest = new ArrayList<>();
                    e.destinations().forEach(a -> dest.add(a.toString()));
                    j.open('{').key("overlay").value(d.name()).key("mac").value(MacAddress.format(e.mac()))
                            .key("state").value(e.state().name().toLowerCase(Locale.ROOT)).key("origin").value(e.origin().name().toLowerCase(Locale.ROOT))
                            .key("age_ms").value(e.ageMillis()).key("destination").value(String.join(",", dest)).close('}');
                }
                if (entries.size() > TARGETS_SHOWN) {
                    j.open('{').key("overlay").value(d.name()).key("more").value(entries.size() - TARGETS_SHOWN).close('}');
                }
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
}
