package org.overlaygate.appliance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.condition.Condition;
import org.overlaygate.api.OverlayStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the framework until the appliance is ready (the package documentation says when), then
 * registers the condition {@value #READY} and tells systemd. One thread, which ends then.
 */
@Component(immediate = true)
public final class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    /** Registered by the launcher once it has started every bundle of system/. */
    static final String LAUNCHED = "overlaygate.launched";
    /** Registered here once the appliance is ready; the admin socket waits for it. */
    static final String READY = "overlaygate.ready";
    static final String TIMEOUT_PROPERTY = "overlaygate.ready.timeout.ms";
    static final long DEFAULT_TIMEOUT_MS = 120_000;
    /** No bundle or service event for this long: the work that follows one is done. */
    static final long QUIET_MS = 300;
    private static final long POLL_MS = 25;
    private static final long SOCKET_WAIT_MS = 10_000;
    /**
     * The HTTP server (/metrics, the web console) starts on its own thread once ConfigAdmin has
     * given it its settings; it is waited for this long at most: one that cannot bind its port
     * says so in the log and must not hold up the appliance.
     */
    static final long HTTP_WAIT_MS = 15_000;
    static final String HTTP_RUNTIME = "org.osgi.service.servlet.runtime.HttpServiceRuntime";

    @Reference
    private ServiceComponentRuntime scr;

    private BundleContext context;
    private Thread watcher;
    private volatile boolean stopped;
    private volatile long lastEvent = System.nanoTime();
    private volatile ServiceRegistration<Condition> ready;
    private volatile boolean notified;
    private long launchedAt;
    private final ServiceListener services = event -> lastEvent = System.nanoTime();
    private final BundleListener bundles = event -> lastEvent = System.nanoTime();

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addServiceListener(services);
        context.addBundleListener(bundles);
        watcher = new Thread(this::watch, "og-readiness");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        stopped = true;
        watcher.interrupt();
        watcher.join(5_000);
        context.removeServiceListener(services);
        context.removeBundleListener(bundles);
        if (notified) {
            notifySystemd("STOPPING=1\nSTATUS=stopping");
        }
        ServiceRegistration<Condition> r = ready;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
    }

    private void watch() {
        long start = System.nanoTime();
        long timeoutMs = longProperty(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT_MS);
        List<String> pending = List.of();
        try {
            while (!stopped) {
                pending = pending();
                if (pending.isEmpty()) {
                    break;
                }
                if (System.nanoTime() - start > timeoutMs * 1_000_000) {
                    LOG.warn("the appliance is not settled after {} ms; declaring it ready anyway. Still pending: {}", timeoutMs,
                            String.join("; ", pending));
                    break;
                }
                Thread.sleep(POLL_MS);
            }
            if (stopped) {
                return;
            }
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Condition.CONDITION_ID, READY);
            ready = context.registerService(Condition.class, Condition.INSTANCE, props);
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.info("appliance ready ({} ms after its readiness watch began)", ms);
            awaitAdminSocket();
            notified = notifySystemd("READY=1\nSTATUS=ready" + (pending.isEmpty() ? "" : " (not settled: " + pending.size() + " pending, see the log)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.debug("readiness watch ended: the framework is stopping ({})", e.getMessage());
        }
    }

    /** Everything still on its way; empty when the appliance is ready. */
    List<String> pending() {
        List<String> pending = new ArrayList<>();
        if (isOurLauncher() && !conditionRegistered(LAUNCHED)) {
            pending.add("the launcher is starting bundles");
            return pending;
        }
        if (launchedAt == 0) {
            launchedAt = System.nanoTime();
        }
        Bundle[] all = context.getBundles();
        if (httpPromised(all) && !registered(HTTP_RUNTIME) && System.nanoTime() - launchedAt < HTTP_WAIT_MS * 1_000_000) {
            pending.add("the HTTP server is starting");
        }
        for (Bundle b : all) {
            if ((b.getState() & (Bundle.STARTING | Bundle.STOPPING)) != 0 && b.getHeaders().get("Bundle-ActivationPolicy") == null) {
                pending.add("bundle " + b.getSymbolicName() + " is " + (b.getState() == Bundle.STARTING ? "starting" : "stopping"));
            }
        }
        Set<Path> installed = new HashSet<>();
        for (Bundle b : all) {
            Path file = ReadinessCheck.file(b.getLocation());
            if (file != null) {
                installed.add(file);
            }
        }
        String watched = context.getProperty("felix.fileinstall.dir");
        if (watched != null && !watched.isBlank()) {
            for (String dir : watched.split(",")) {
                pending.addAll(ReadinessCheck.plugins(Paths.get(dir.trim()), installed::contains));
            }
        }
        pending.addAll(ReadinessCheck.components(components(all)));
        for (OverlayStatus status : services(OverlayStatus.class)) {
            if (!status.settled()) {
                pending.add("varpd is restoring overlays");
            }
        }
        long quietMs = (System.nanoTime() - lastEvent) / 1_000_000;
        if (pending.isEmpty() && quietMs < QUIET_MS) {
            pending.add("a bundle or service changed " + quietMs + " ms ago");
        }
        return pending;
    }

    private List<ReadinessCheck.Component> components(Bundle[] all) {
        List<ReadinessCheck.Component> out = new ArrayList<>();
        for (Bundle b : all) {
            if (b.getState() != Bundle.ACTIVE || b.getHeaders().get("Service-Component") == null) {
                continue;
            }
            Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(b);
            if (descriptions.isEmpty()) {
                // Declarative Services has not read the bundle yet: a placeholder that is never enabled
                ComponentDescriptionDTO unread = new ComponentDescriptionDTO();
                unread.name = "every component";
                unread.defaultEnabled = true;
                out.add(new ReadinessCheck.Component(b.getSymbolicName(), unread, false, List.of()));
                continue;
            }
            for (ComponentDescriptionDTO d : descriptions) {
                boolean enabled = scr.isComponentEnabled(d);
                out.add(new ReadinessCheck.Component(b.getSymbolicName(), d, enabled,
                        enabled ? scr.getComponentConfigurationDTOs(d) : List.of()));
            }
        }
        return out;
    }

    private <T> List<T> services(Class<T> type) {
        List<T> out = new ArrayList<>();
        try {
            for (ServiceReference<T> ref : context.getServiceReferences(type, null)) {
                T s = context.getService(ref);
                if (s != null) {
                    try {
                        out.add(s);
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Whether an active bundle implements the HTTP whiteboard (it then registers an HttpServiceRuntime when its server runs). */
    private static boolean httpPromised(Bundle[] all) {
        for (Bundle b : all) {
            String provided = b.getHeaders().get("Provide-Capability");
            if (b.getState() == Bundle.ACTIVE && provided != null && provided.contains("osgi.implementation=\"osgi.http\"")) {
                return true;
            }
        }
        return false;
    }

    private boolean registered(String objectClass) {
        try {
            return context.getAllServiceReferences(objectClass, null) != null;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean conditionRegistered(String id) {
        try {
            return !context.getServiceReferences(Condition.class, "(" + Condition.CONDITION_ID + "=" + id + ")").isEmpty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Started by bin/overlaygate's launcher, which says when it has started every bundle (not by a test framework). */
    private boolean isOurLauncher() {
        return context.getProperty("overlaygate.home") != null;
    }

    /** Waits (bounded) until the admin socket exists, so that READY=1 means overlayadm is answered. */
    private void awaitAdminSocket() throws InterruptedException {
        String socket = context.getProperty("overlaygate.admin.socket");
        if (socket == null || socket.isBlank()) {
            return;
        }
        Path path = Paths.get(socket);
        long deadline = System.nanoTime() + SOCKET_WAIT_MS * 1_000_000;
        while (!Files.exists(path) && System.nanoTime() < deadline && !stopped) {
            Thread.sleep(POLL_MS);
        }
    }

    /** Sends to systemd when it started us with Type=notify; says in the log when it cannot. */
    private static boolean notifySystemd(String message) {
        String socket = System.getenv(SystemdNotify.ENV);
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        try {
            SystemdNotify.send(socket, message);
            LOG.info("told systemd: {}", message.replace('\n', ' '));
            return true;
        } catch (IOException | LinkageError e) {
            LOG.error("cannot tell systemd ({}): {}", message.replace('\n', ' '), e.toString());
            return false;
        }
    }

    private long longProperty(String name, long fallback) {
        String v = context.getProperty(name);
        try {
            return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            LOG.warn("{}={} is not a number of milliseconds; using {}", name, v, fallback);
            return fallback;
        }
    }
}
