package org.overlaygate.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.Measurements;
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.api.datapath.DataPath;

/**
 * {@code GET /metrics}: a servlet on the HTTP whiteboard. Whatever is absent (the data path in the
 * katar profile, varpd while it is replaced) is simply not reported; the endpoint never fails for it.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/metrics",
    "osgi.http.whiteboard.servlet.name=overlaygate-metrics"})
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile DataPath dataPath;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile OverlayStatus status;

    /** Framework property: the appliance's version, for {@code overlaygate_build_info} (else this bundle's). */
    static final String VERSION_PROPERTY = "overlaygate.version";

    private final transient Map<ServiceReference<?>, Measurements> sources = new ConcurrentHashMap<>();
    private transient PrometheusRegistry registry;
    private transient Counter scrapes;
    private transient Histogram scrapeDuration;
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    @Activate
    void activate(BundleContext context) {
        String configured = context.getProperty(VERSION_PROPERTY);
        String version = configured == null || configured.isBlank() ? context.getBundle().getVersion().toString() : configured.trim();
        registry = new PrometheusRegistry();
        // the process and the JVM: heap and other memory pools, GC, threads, classes, CPU, RSS, open files
        JvmMetrics.builder().register(registry);
        scrapes = Counter.builder().name(ApplianceMetrics.PREFIX + "metrics_scrapes").help("Requests for /metrics answered").withoutExemplars()
                .register(registry);
        scrapeDuration = Histogram.builder().name(ApplianceMetrics.PREFIX + "metrics_scrape_duration_seconds").unit(Unit.SECONDS)
                .help("How long gathering /metrics took").classicOnly().withoutExemplars().register(registry);
        registry.register(() -> ApplianceMetrics.collect(version, dataPath, status, sourcesByName()));
    }

    private Map<String, Measurements> sourcesByName() {
        Map<String, Measurements> out = new TreeMap<>();
        sources.forEach((ref, m) -> {
            Object name = ref.getProperty(Measurements.SOURCE);
            if (name instanceof String && ((String) name).matches("[a-z][a-z0-9_]*")) {
                out.put((String) name, m);
            }
        });
        return out;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long start = System.nanoTime();
        var snapshots = registry.scrape();
        scrapes.inc();
        scrapeDuration.observe((System.nanoTime() - start) / 1e9);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        try (OutputStream out = response.getOutputStream()) {
            writer.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        }
    }

    // ------------------------------------------------------------------ measurement sources

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeSource")
    void addSource(ServiceReference<Measurements> ref, Measurements m) {
        sources.put(ref, m);
    }

    void removeSource(ServiceReference<Measurements> ref) {
        sources.remove(ref);
    }
}
