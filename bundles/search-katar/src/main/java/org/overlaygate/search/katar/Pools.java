package org.overlaygate.search.katar;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The plugin's {@link ServerPool}s, one per {@code host:port} that some overlay names, shared by
 * all of them and closed when the last one stops.
 */
final class Pools implements AutoCloseable {
    private final ClientSettings settings;
    private final ServerPool.Resolver resolver;
    private final ScheduledExecutorService timer;
    private final Executor blocking;
    private final BulkSupport bulk;
    private final Map<String, ServerPool> pools = new HashMap<>();
    private final Map<ServerPool, Integer> users = new HashMap<>();
    private boolean closed;

    Pools(ClientSettings settings, ServerPool.Resolver resolver, ScheduledExecutorService timer, Executor blocking, BulkSupport bulk) {
        this.settings = settings;
        this.resolver = resolver;
        this.timer = timer;
        this.blocking = blocking;
        this.bulk = bulk;
    }

    ClientSettings settings() {
        return settings;
    }

    synchronized ServerPool acquire(String host, int port) {
        if (closed) {
            throw new IllegalStateException("the katar plugin is stopping");
        }
        String key = host.toLowerCase(java.util.Locale.ROOT) + "/" + port;
        ServerPool p = pools.computeIfAbsent(key, k -> new ServerPool(host, port, settings, resolver, timer, blocking, bulk).start());
        users.merge(p, 1, Integer::sum);
        return p;
    }

    synchronized void release(ServerPool p) {
        Integer n = users.get(p);
        if (n == null) {
            return;
        }
        if (n > 1) {
            users.put(p, n - 1);
            return;
        }
        users.remove(p);
        pools.values().remove(p);
        p.close();
    }

    /** How many pools are open (tests). */
    synchronized int size() {
        return pools.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        pools.values().forEach(ServerPool::close);
        pools.clear();
        users.clear();
    }
}
