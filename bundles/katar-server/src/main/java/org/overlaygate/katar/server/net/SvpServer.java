package org.overlaygate.katar.server.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The katar protocol over TCP. One I/O thread multiplexes every connection: it reads and checks
 * messages, answers PING and cache hits at once, and hands lookups that need the database to a
 * bounded pool of workers, whose answers it writes back as they come: out of order, each with
 * the id of its request.
 *
 * <p>What ends a connection (and only that connection): a CRC mismatch, a version other than 1, a
 * size over the limit, a payload that does not fit its operation (answered FATAL first when the
 * operation has an answer), an unknown operation (answered with op 0 and status FATAL), a message
 * not complete {@link Limits#stalledMessageMs} after its first byte, no complete message for
 * {@link Limits#idleTimeoutMs}. What is refused at accept: a connection over the limit of its
 * source address, or over the global limit, whose last {@link Limits#reserved() eighth} only an
 * address without a connection may take. What is refused without closing: a request over the
 * outstanding limit or the work queue, or one the database could not answer (status TRYAGAIN).
 * Every case is counted (unknown operations in one counter); no input stops the thread.
 *
 * <p>Its parts, after Netty's decoder / handler / admission split: this class accepts, limits
 * connections per address and in all, and runs the selector and the sweeps; a {@link Connection}
 * cuts its bytes into messages and writes its replies; the {@link Dispatcher} answers each
 * request; {@link Admission} decides whether a connection may take one more (the bytes it holds,
 * work in progress included) and queues lookups fairly between clients. A client that does not
 * take its replies for {@link Limits#idleTimeoutMs} is closed ({@code closed_not_reading}).
 */
public final class SvpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SvpServer.class);
    /** One read: what a paused connection keeps of it is at most this much. */
    private static final int READ_BUFFER = 16 * 1024;

    private final Limits limits;
    private final ServerStats stats = new ServerStats();
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Admission admission;
    private final Dispatcher dispatcher;
    private final Thread io;
    private final Queue<Connection> wakeups = new ConcurrentLinkedQueue<>();
    private final Set<Connection> open = new HashSet<>();
    /** Open connections by source address; touched by the I/O thread only. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private volatile boolean running = true;
    private long lastSweep = System.nanoTime();

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound
     */
    public SvpServer(InetSocketAddress bind, Limits limits, Backend backend) throws IOException {
        this(bind, limits, backend, false);
    }

    /**
     * Binds and starts serving.
     *
     * @param trustNamedAddress whether a LOG_REQ may name another address than its connection's
     *     source (hosts behind NAT); otherwise such a request is refused and LOG_RM removes only the
     *     source's entries
     * @throws IOException when the address cannot be bound
     */
    public SvpServer(InetSocketAddress bind, Limits limits, Backend backend, boolean trustNamedAddress) throws IOException {
        this.limits = limits;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, 256);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        this.admission = new Admission(limits, stats);
        this.dispatcher = new Dispatcher(backend, limits, admission, stats, trustNamedAddress);
        this.io = new Thread(this::loop, "katar-io");
        io.setDaemon(true);
        io.start();
    }

    /** The bound address (with the real port when 0 was asked). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public ServerStats stats() {
        return stats;
    }

    public int connections() {
        return connections.get();
    }

    public Limits limits() {
        return limits;
    }

    /** Bytes every connection holds: replies queued and the largest reply of each request in a worker. */
    public long heldBytes() {
        return admission.totalHeld();
    }

    /** Lookups handed to workers (queued or running) and not yet answered. */
    public int lookupsInProgress() {
        return admission.inProgress();
    }

    private void loop() {
        while (running) {
            try {
                selector.select(sweepMillis());
            } catch (IOException | RuntimeException e) {
                LOG.error("katar: selector failed: {}", e.toString());
                continue;
            }
            if (!running) {
                break;
            }
            sweep();
            Connection woken;
            while ((woken = wakeups.poll()) != null) {
                guarded(woken, woken::flush);
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (!key.isValid()) {
                    continue;
                }
                if (key.attachment() == null) {
                    accept();
                    continue;
                }
                Connection c = (Connection) key.attachment();
                if (key.isReadable()) {
                    guarded(c, () -> c.read(readBuffer));
                }
                if (key.isValid() && key.isWritable()) {
                    guarded(c, c::flush);
                }
            }
        }
    }

    /** How often {@link #sweep} looks: once a second, or more often for limits below a second. */
    private long sweepMillis() {
        return Math.min(1000, Math.min(limits.stalledMessageMs(), limits.idleTimeoutMs()));
    }

    /**
     * Closes connections whose current message began longer than the stall limit ago (slowloris:
     * a byte now and then does not keep it open), and connections that sent no complete message
     * for the idle limit while waiting for no answer, and connections whose client took none of
     * its replies for the idle limit (each holds a reply budget while it waits).
     */
    private void sweep() {
        long now = System.nanoTime();
        if (now - lastSweep < sweepMillis() * 1_000_000L) {
            return;
        }
        lastSweep = now;
        long stalled = limits.stalledMessageMs() * 1_000_000L;
        long idle = limits.idleTimeoutMs() * 1_000_000L;
        for (Connection c : new ArrayList<>(open)) {
            if (c.stalled(now, stalled)) {
                stats.increment("closed_stalled");
                c.close();
            } else if (c.idle(now, idle)) {
                stats.increment("closed_idle");
                c.close();
            } else if (c.notReading(now, idle)) {
                stats.increment("closed_not_reading");
                c.close();
            }
        }
    }

    private interface IoStep {
        void run() throws IOException;
    }

    /** Any failure of one connection closes that connection, counted, and nothing else. */
    private void guarded(Connection c, IoStep step) {
        try {
            step.run();
        } catch (IOException e) {
            stats.increment("closed_io_error");
            c.close();
        } catch (RuntimeException e) {
            stats.increment("closed_internal_error");
            LOG.warn("katar: connection from {} failed: {}", c.remote, e.toString(), e);
            c.close();
        }
    }

    private void accept() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            stats.increment("accept_errors");
            return;
        }
        if (ch == null) {
            return;
        }
        InetAddress source = sourceOf(ch);
        String refusal = refusal(source);
        if (refusal != null) {
            stats.increment(refusal);
            try {
                ch.close(); // the client sees the connection closed at once
            } catch (IOException ignored) {
                // refused anyway
            }
            return;
        }
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection c = new Connection(ch, source, limits.maxMessageBytes(), owner, admission, dispatcher, stats);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            open.add(c);
            perAddress.merge(source, 1, Integer::sum);
            connections.incrementAndGet();
            stats.increment("accepted_connections");
        } catch (IOException e) {
            stats.increment("accept_errors");
            try {
                ch.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }

    private static InetAddress sourceOf(SocketChannel ch) {
        try {
            return ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
        } catch (IOException | RuntimeException e) {
            return null; // gone already: counted with the others that have no address
        }
    }

    /**
     * Why a connection from {@code source} is refused (its counter), or null to accept it: over
     * the limit of its address; the server full; or only the reserved places left and this address
     * already served.
     */
    private String refusal(InetAddress source) {
        int fromThere = perAddress.getOrDefault(source, 0);
        int all = connections.get();
        if (all >= limits.maxConnections()) {
            return "refused_connections";
        }
        if (fromThere >= limits.maxConnectionsPerAddress()) {
            return "refused_per_address";
        }
        if (fromThere > 0 && all >= limits.maxConnections() - limits.reserved()) {
            return "refused_reserved";
        }
        return null;
    }

        /** What connections need of the server; their close runs on the I/O thread (or in {@link #close} after it ended). */
    private final Connection.Owner owner = new Connection.Owner() {
        @Override
        public void wake(Connection c) {
            wakeups.add(c);
            selector.wakeup();
        }

        @Override
        public void closed(Connection c) {
            open.remove(c);
            perAddress.computeIfPresent(c.source, (a, n) -> n == 1 ? null : n - 1);
            connections.decrementAndGet();
        }
    };

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            io.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c : new ArrayList<>(open)) {
            c.close();
        }
        try {
            server.close();
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        admission.close();
    }

    /** For tests: the number of open connection objects the I/O thread tracks. */
    List<String> openRemotes() {
        List<String> out = new ArrayList<>();
        for (Connection c : open) {
            out.add(c.remote);
        }
        return out;
    }
}
