package org.overlaygate.katar.server;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.overlaygate.api.Measurements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The katar server in the appliance. Starts a {@link KatarService} from its settings, retrying with
 * backoff (1, 2, 4 ... 30 s) while the port is taken or the database unreachable, so it heals by
 * itself; registers the {@code katar:} commands, which report the reason while it is not running.
 * A configuration change restarts it.
 */
@Component(configurationPid = KatarComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
@Designate(ocd = KatarConfig.class)
public final class KatarComponent {
    public static final String PID = "org.overlaygate.katar.server";
    private static final Logger LOG = LoggerFactory.getLogger(KatarComponent.class);

    private final List<ServiceRegistration<?>> commands = new ArrayList<>();
    private volatile KatarService service;
    private volatile String state = "starting";
    private volatile boolean active;
    private Thread starter;
    private KatarSettings settings;
    private Map<String, Object> config = Map.of();
    private BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConfigurationAdmin configAdmin;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        active = true;
        this.context = context;
        this.config = Map.copyOf(withoutNulls(config));
        String data = context.getProperty("overlaygate.data");
        try {
            settings = KatarSettings.from(config, context::getProperty, data == null ? null : Paths.get(data));
        } catch (IllegalArgumentException e) {
            state = "not running: " + e.getMessage();
            LOG.error("katar server not started: {}", e.getMessage());
        }
        KatarCommands cmds = new KatarCommands(this);
        for (Map.Entry<String, Function> c : cmds.functions().entrySet()) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("osgi.command.scope", "katar");
            props.put("osgi.command.function", new String[] {c.getKey()});
            commands.add(context.registerService(Function.class, c.getValue(), props));
        }
        // and its counters, for the metrics endpoint (unregistered with the commands)
        Hashtable<String, Object> source = new Hashtable<>();
        source.put(Measurements.SOURCE, KatarMeasurements.SOURCE);
        commands.add(context.registerService(Measurements.class, new KatarMeasurements(this), source));
        if (settings == null) {
            return;
        }
        if (!settings.enabled()) {
            state = "disabled (enabled=false)";
            return;
        }
        starter = new Thread(this::startLoop, "katar-start");
        starter.setDaemon(true);
        starter.start();
    }

    private void startLoop() {
        long backoffMs = 1000;
        while (active) {
            try {
                KatarService s = KatarService.start(settings);
                synchronized (this) {
                    if (!active) {
                        s.close();
                        return;
                    }
                    service = s;
                }
                state = "online";
                return;
            } catch (Exception e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                if (e instanceof java.io.IOException) {
                    reason = "cannot listen on " + settings.listen() + ": " + reason;
                } else if (e instanceof java.sql.SQLException) {
                    reason = "database: " + reason;
                }
                if (!state.endsWith(reason + ", retrying")) {
                    LOG.error("katar server not started: {}; retrying", reason);
                }
                state = "not running: " + reason + ", retrying";
                if (e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
                    state = "not running: " + reason;
                    return; // configuration or schema: retrying will not help
                }
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(backoffMs * 2, 30_000);
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (ServiceRegistration<?> r : commands) {
            try {
                r.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
        }
        commands.clear();
        if (starter != null) {
            starter.interrupt();
            try {
                starter.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (service != null) {
                service.close();
                service = null;
            }
        }
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> m) {
        Map<String, Object> out = new java.util.HashMap<>();
        m.forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    Map<String, Object> config() {
        return config;
    }

    String frameworkProperty(String name) {
        return context.getProperty(name);
    }

    ConfigurationAdmin configAdmin() {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            throw new IllegalStateException("no ConfigurationAdmin service: settings come from etc/config.properties only");
        }
        return cm;
    }

    /** The running server. @throws IllegalStateException with the reason when it is not running */
    KatarService service() {
        KatarService s = service;
        if (s == null) {
            throw new IllegalStateException("the katar server is " + state);
        }
        return s;
    }

    String state() {
        return state;
    }

    KatarSettings settings() {
        return settings;
    }

    /** Relative import paths are read from the appliance's working directory. */
    static Path workingDirectory() {
        return Paths.get("").toAbsolutePath();
    }
}
