package org.overlaygate.appliance;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deadline for a request's headers on the HTTP server (metrics, web console). Jetty's idle
 * timeout restarts with every byte, so a client that sends a header line a byte at a time held a
 * connection, and one of the server's few threads' worth of connections, for ever (slowloris).
 * Here a connection whose request has begun but whose headers are not complete within
 * {@code overlaygate.http.header.timeout.ms} (10 s) is closed; idle keep-alive connections are
 * left to the idle timeout, bodies to the request size limit.
 *
 * <p>Felix HTTP configures its connector itself and offers no header deadline; its one hook onto
 * the Jetty server is a {@link ConnectorFactory}, called with the server once its own connector
 * exists. This adds a connection listener to that connector and returns a {@link LocalConnector},
 * which listens nowhere (an in-process connector that nothing uses). Connections are checked every
 * {@code deadline / 10} on one thread of this component's.
 */
@Component(service = ConnectorFactory.class)
public final class HeaderDeadline implements ConnectorFactory, Connection.Listener {
    static final String PROPERTY = "overlaygate.http.header.timeout.ms";
    static final long DEFAULT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    /** When a connection's current request began (its first byte), and how many requests it had then. */
    private static final class Watch {
        long since;
        long messages = -1;
    }

    private final Map<HttpConnection, Watch> connections = new ConcurrentHashMap<>();
    private final AtomicLong closed = new AtomicLong();
    private long deadlineNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_MS);
    private ScheduledExecutorService timer;

    public HeaderDeadline() {
    }

    HeaderDeadline(long deadlineMillis) {
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        start();
    }

    @Activate
    void activate(BundleContext context) {
        String v = context.getProperty(PROPERTY);
        if (v != null && !v.isBlank()) {
            deadlineNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(v.trim()));
        }
        start();
    }

    private void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "og-http-header-deadline");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), deadlineNanos / 10);
        timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.NANOSECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        connections.clear();
    }

    @Override
    public Connector createConnector(Server server) {
        watch(server);
        return new LocalConnector(server);
    }

    /** Puts the deadline on every network connector {@code server} has now. */
    void watch(Server server) {
        for (Connector c : server.getConnectors()) {
            if (c instanceof AbstractConnector && !(c instanceof LocalConnector)) {
                c.addEventListener(this);
            }
        }
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection) {
            connections.put((HttpConnection) connection, new Watch());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        connections.remove(connection);
    }

    /** Connections closed for their headers so far. */
    long closed() {
        return closed.get();
    }

    private void check() {
        long now = System.nanoTime();
        connections.forEach((c, w) -> {
            HttpParser p = c.getParser();
            if (!p.inHeaderState() || p.isStart()) {
                w.messages = -1; // between requests, or past the headers
                return;
            }
            long messages = c.getMessagesIn();
            if (w.messages != messages) {
                w.messages = messages; // a new request's headers began since the last look
                w.since = now;
            } else if (now - w.since > deadlineNanos) {
                closed.incrementAndGet();
                LOG.debug("closing HTTP connection from {}: headers not complete in {} ms", c.getEndPoint().getRemoteSocketAddress(),
                        TimeUnit.NANOSECONDS.toMillis(deadlineNanos));
                connections.remove(c);
                c.close();
            }
        });
    }
}
