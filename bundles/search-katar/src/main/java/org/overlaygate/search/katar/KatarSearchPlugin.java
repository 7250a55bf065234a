package org.overlaygate.search.katar;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.katar.protocol.Svp;

/** Registers {@code katar}: hosts find each other's VNICs through a katar (SVP) mapping server. */
@Component(service = SearchPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + KatarSearchPlugin.NAME)
public final class KatarSearchPlugin implements SearchPlugin {
    static final String NAME = "katar";
    static final String HOST = "katar/host";
    static final String PORT = "katar/port";
    static final String BULK = "katar/bulk";
    static final String RECONFIRM = "katar/reconfirm_ms";
    /** Where, under the appliance's data directory, the servers that refused BULK are remembered. */
    static final String BULK_FILE = "katar-client/bulk-refused";

    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(HOST, PropertyType.STRING).required()
                    .description("the katar server: a name (every address it resolves to is used) or an IP address, optionally with"
                            + " its port (HOST:PORT, [IPv6]:PORT), which then replaces katar/port's default").build(),
            PropertySpec.builder(PORT, PropertyType.UINT).range(1, 65535).defaultValue(Integer.toString(Svp.DEFAULT_PORT))
                    .description("the katar server's TCP port").build(),
            PropertySpec.builder(BULK, PropertyType.STRING).possible("auto", "off").defaultValue("auto")
                    .description("warm the cache with BULK (our extension): auto asks each server once and remembers one that"
                            + " did not answer or closed the connection on it; off never asks (plain SVP servers such as portolan)")
                    .build(),
            PropertySpec.builder(RECONFIRM, PropertyType.UINT).range(0, 600_000).defaultValue("11000")
                    .description("after an invalidation, confirm its answers again this much later, past the server's own answer"
                            + " cache (portolan keeps answers 10 s); 0: never")
                    .build());

    /** Timers: request timeouts, retries, log polls; short tasks that never wait for the network. */
    private final ScheduledThreadPoolExecutor timer;
    /** Name resolution and TCP connects, which block: never on the timer, whose timeouts they would hold up. */
    private final ThreadPoolExecutor blocking;
    private final Pools pools;
    private final BulkSupport bulk = new BulkSupport();

    public KatarSearchPlugin() {
        this(ClientSettings.DEFAULTS, InetAddress::getAllByName);
    }

    KatarSearchPlugin(ClientSettings settings, ServerPool.Resolver resolver) {
        AtomicInteger n = new AtomicInteger();
        timer = new ScheduledThreadPoolExecutor(4, r -> {
            Thread t = new Thread(r, "og-katar-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        AtomicInteger m = new AtomicInteger();
        // A thread per resolution or connect under way (a name server that hangs holds one, and
        // nothing else), up to 64, then queued; idle ones go after 30 s.
        blocking = new ThreadPoolExecutor(64, 64, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "og-katar-connect-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        blocking.allowCoreThreadTimeOut(true); // no thread kept while every connection is up
        pools = new Pools(settings, resolver, timer, blocking, bulk);
    }

    /** Remembers the servers that refused BULK in the appliance's data directory (framework property {@code overlaygate.data}). */
    @Activate
    void activate(BundleContext context) {
        String data = context.getProperty("overlaygate.data");
        rememberBulkIn(Paths.get(data == null || data.isBlank() ? "data" : data).resolve(BULK_FILE));
    }

    /** Reads and keeps the servers known to lack BULK in {@code file} (tests name a temporary one). */
    void rememberBulkIn(Path file) {
        bulk.load(file);
    }

    /** Closes every connection; instances were stopped by varpd already. */
    @Deactivate
    void deactivate() {
        pools.close();
        timer.shutdownNow();
        blocking.shutdownNow();
    }

    /** The shared connections (tests). */
    Pools pools() {
        return pools;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SearchMode mode() {
        return SearchMode.DYNAMIC;
    }

    @Override
    public List<PropertySpec> properties() {
        return PROPERTIES;
    }

    @Override
    public SearchInstance create(SearchContext context, PropertyValues values) throws PropertyException {
        ServerAddress server = ServerAddress.parse(values.getString(HOST), values.getInt(PORT), values.isGiven(PORT));
        return new KatarSearch(context, pools, server.host(), server.port(), "auto".equals(values.getString(BULK)),
                values.getInt(RECONFIRM));
    }
}
