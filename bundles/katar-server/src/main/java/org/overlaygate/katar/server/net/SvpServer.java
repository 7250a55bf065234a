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
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.FrameReader;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogRemove;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Request;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;
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
 */
public final class SvpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SvpServer.class);
    private static final int READ_BUFFER = 64 * 1024;
    private static final int GATHER = 64;
    private static final byte[] EMPTY = new byte[0];

    private final Limits limits;
    private final Backend backend;
    private final ServerStats stats = new ServerStats();
    private final ServerSocketChannel server;
    private final Selector selector;
    private final ThreadPoolExecutor workers;
    private final Thread io;
    private final Queue<Conn> wakeups = new ConcurrentLinkedQueue<>();
    private final Set<Conn> open = new HashSet<>();
    /** Open connections by source address; touched by the I/O thread only. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final AtomicLong lastBackendWarning = new AtomicLong();
    private volatile boolean running = true;
    private long lastSweep = System.nanoTime();

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound
     */
    public SvpServer(InetSocketAddress bind, Limits limits, Backend backend) throws IOException {
        this.limits = limits;
        this.backend = backend;
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
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(limits.workers(), limits.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.workQueue()), r -> {
                    Thread t = new Thread(r, "katar-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
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
            Conn woken;
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
                Conn c = (Conn) key.attachment();
                if (key.isReadable()) {
                    guarded(c, c::read);
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
     * for the idle limit while waiting for no answer.
     */
    private void sweep() {
        long now = System.nanoTime();
        if (now - lastSweep < sweepMillis() * 1_000_000L) {
            return;
        }
        lastSweep = now;
        long stalled = limits.stalledMessageMs() * 1_000_000L;
        long idle = limits.idleTimeoutMs() * 1_000_000L;
        for (Conn c : new ArrayList<>(open)) {
            if (c.reader.inMessage() && now - c.messageStart > stalled) {
                stats.increment("closed_stalled");
                c.close();
            } else if (!c.reader.inMessage() && now - c.lastMessage > idle && c.outstanding.get() == 0 && c.out.isEmpty()) {
                stats.increment("closed_idle");
                c.close();
            }
        }
    }

    private interface IoStep {
        void run() throws IOException;
    }

    /** Any failure of one connection closes that connection, counted, and nothing else. */
    private void guarded(Conn c, IoStep step) {
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
            Conn c = new Conn(ch, source);
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

    /** One client connection. Fields without a note are touched by the I/O thread only. */
    private final class Conn {
        final SocketChannel ch;
        final String remote;
        final FrameReader reader = new FrameReader(limits.maxMessageBytes());
        /** Replies waiting to be written; workers add, the I/O thread removes. */
        final Queue<ByteBuffer> out = new ConcurrentLinkedQueue<>();
        final AtomicLong queuedBytes = new AtomicLong();
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        final ByteBuffer[] gather = new ByteBuffer[GATHER];
        final InetAddress source;
        SelectionKey key;
        /** When the last complete message arrived (or the connection, before the first). */
        long lastMessage = System.nanoTime();
        /** When the first byte of the message being read arrived; meaningful while {@code reader.inMessage()}. */
        long messageStart;
        boolean readPaused;
        boolean closing;
        volatile boolean closed;
        /** When the request being handled was read (I/O thread), for its duration in the stats. */
        long handleStart;
        /** Whether the request being handled went to a worker, which then times it. */
        boolean handedToWorker;

        Conn(SocketChannel ch, InetAddress source) {
            this.ch = ch;
            this.source = source;
            String r;
            try {
                r = String.valueOf(ch.getRemoteAddress());
            } catch (IOException e) {
                r = "?";
            }
            this.remote = r;
        }

        void read() throws IOException {
            readBuffer.clear();
            int n = ch.read(readBuffer);
            if (n < 0) {
                close();
                return;
            }
            long now = System.nanoTime();
            boolean continuing = reader.inMessage();
            readBuffer.flip();
            try {
                Frame f;
                while (!closing && (f = reader.next(readBuffer)) != null) {
                    continuing = false;
                    lastMessage = now;
                    handle(f);
                }
                if (reader.inMessage() && !continuing) {
                    messageStart = now; // a new message began in this read
                }
            } catch (ProtocolException e) {
                stats.increment("closed_" + e.reason().counter);
                LOG.debug("katar: closing {}: {}", remote, e.getMessage());
                close();
                return;
            }
            flush();
        }

        private void handle(Frame f) {
            // One counter per known request, one for everything else: 65,536 op codes are not 65,536 counters.
            stats.increment(Svp.replyOf(f.op()) < 0 ? "requests_unknown" : "requests_" + Svp.opName(f.op()).toLowerCase(Locale.ROOT));
            handleStart = System.nanoTime();
            handedToWorker = false;
            try {
                answer(f);
            } finally {
                if (!handedToWorker) {
                    stats.requestDuration().record(System.nanoTime() - handleStart); // answered here, from the cache or at once
                }
            }
        }

        private void answer(Frame f) {
            try {
                switch (f.op()) {
                    case Svp.OP_PING:
                        if (f.payload().length != 0) {
                            throw new ProtocolException(ProtocolException.Reason.MALFORMED, "PING with a payload");
                        }
                        reply(f.id(), Svp.OP_PONG, EMPTY);
                        break;
                    case Svp.OP_VL2_REQ: {
                        Vl2Request r = Vl2Request.decode(f.payload());
                        Vl2Ack hit = backend.cachedVl2(r.vnetId(), r.mac());
                        if (hit != null) {
                            reply(f.id(), Svp.OP_VL2_ACK, hit.encode());
                        } else {
                            submit(f, Svp.OP_VL2_ACK, () -> backend.loadVl2(r.vnetId(), r.mac()).encode(),
                                    Vl2Ack.status(Svp.STATUS_TRYAGAIN).encode());
                        }
                        break;
                    }
                    case Svp.OP_VL3_REQ: {
                        Vl3Request r = Vl3Request.decode(f.payload());
                        if (r.type() != Svp.VL3_IPV4 && r.type() != Svp.VL3_IPV6) {
                            stats.increment("answered_badl3type");
                            reply(f.id(), Svp.OP_VL3_ACK, Vl3Ack.status(Svp.STATUS_BADL3TYPE).encode());
                            break;
                        }
                        Vl3Ack hit = backend.cachedVl3(r.vnetId(), r.ip());
                        if (hit != null) {
                            reply(f.id(), Svp.OP_VL3_ACK, hit.encode());
                        } else {
                            submit(f, Svp.OP_VL3_ACK, () -> backend.loadVl3(r.vnetId(), r.ip()).encode(),
                                    Vl3Ack.status(Svp.STATUS_TRYAGAIN).encode());
                        }
                        break;
                    }
                    case Svp.OP_LOG_REQ: {
                        LogRequest r = LogRequest.decode(f.payload());
                        if (r.count() < 4) {
                            // No LOG_ACK fits in fewer than 4 bytes: a request that cannot be answered.
                            throw new ProtocolException(ProtocolException.Reason.MALFORMED, "LOG_REQ count " + r.count() + " < 4");
                        }
                        long max = Math.min(r.count(), limits.maxMessageBytes());
                        submit(f, Svp.OP_LOG_ACK, () -> backend.log(r.ip(), max).encode(),
                                new StatusOnly(Svp.STATUS_TRYAGAIN).encode());
                        break;
                    }
                    case Svp.OP_LOG_RM: {
                        LogRemove r = LogRemove.decode(f.payload());
                        submit(f, Svp.OP_LOG_RM_ACK, () -> {
                            backend.logRemove(r.ids());
                            return new StatusOnly(Svp.STATUS_OK).encode();
                        }, new StatusOnly(Svp.STATUS_TRYAGAIN).encode());
                        break;
                    }
                    case Svp.OP_BULK_REQ: {
                        BulkRequest r = BulkRequest.decode(f.payload());
                        if (r.type() != Svp.BULK_VL2 && r.type() != Svp.BULK_VL3) {
                            stats.increment("answered_badbulk");
                            reply(f.id(), Svp.OP_BULK_ACK, BulkAck.status(Svp.STATUS_BADBULK, r.type()).encode());
                            break;
                        }
                        submit(f, Svp.OP_BULK_ACK, () -> backend.bulk(r, limits.maxMessageBytes()).encode(),
                                BulkAck.status(Svp.STATUS_TRYAGAIN, r.type()).encode());
                        break;
                    }
                    default:
                        // Unknown, or an operation a server never receives (an ACK, SHOOTDOWN).
                        stats.increment("closed_unknown_op");
                        reply(f.id(), Svp.OP_UNKNOWN, new StatusOnly(Svp.STATUS_FATAL).encode());
                        closing = true;
                }
            } catch (ProtocolException e) {
                stats.increment("closed_malformed");
                LOG.debug("katar: closing {}: {}", remote, e.getMessage());
                byte[] fatal = fatalAnswer(f.op());
                if (fatal != null) {
                    reply(f.id(), Svp.replyOf(f.op()), fatal);
                }
                closing = true;
            }
        }

        /** The FATAL answer of a malformed request, or null when its answer has no status (PING). */
        private byte[] fatalAnswer(int op) {
            switch (op) {
                case Svp.OP_VL2_REQ:
                    return Vl2Ack.status(Svp.STATUS_FATAL).encode();
                case Svp.OP_VL3_REQ:
                    return Vl3Ack.status(Svp.STATUS_FATAL).encode();
                case Svp.OP_LOG_REQ:
                    return null; // a LOG_ACK must fit in the count asked, which may be < 4
                case Svp.OP_LOG_RM:
                    return new StatusOnly(Svp.STATUS_FATAL).encode();
                case Svp.OP_BULK_REQ:
                    return BulkAck.status(Svp.STATUS_FATAL, 0).encode();
                default:
                    return null;
            }
        }

        private void submit(Frame f, int replyOp, Callable<byte[]> work, byte[] tryAgain) {
            if (outstanding.get() >= limits.maxOutstanding()) {
                stats.increment("tryagain_outstanding");
                reply(f.id(), replyOp, tryAgain);
                return;
            }
            outstanding.incrementAndGet();
            int id = f.id();
            long start = handleStart;
            try {
                workers.execute(() -> {
                    byte[] payload;
                    try {
                        payload = work.call();
                    } catch (Exception | LinkageError e) {
                        stats.increment("tryagain_backend_error");
                        warnBackend(e);
                        payload = tryAgain;
                    }
                    stats.requestDuration().record(System.nanoTime() - start); // from the request read to its answer
                    outstanding.decrementAndGet();
                    if (!closed) {
                        enqueue(id, replyOp, payload);
                    }
                });
                handedToWorker = true;
            } catch (RejectedExecutionException e) {
                outstanding.decrementAndGet();
                stats.increment("tryagain_work_queue");
                reply(f.id(), replyOp, tryAgain);
            }
        }

        /** Queues a reply from the I/O thread; written by the flush after the read. */
        private void reply(int id, int op, byte[] payload) {
            byte[] msg = Frame.encode(op, id, payload);
            out.add(ByteBuffer.wrap(msg));
            queuedBytes.addAndGet(msg.length);
        }

        /** Queues a reply from a worker and wakes the I/O thread. */
        private void enqueue(int id, int op, byte[] payload) {
            reply(id, op, payload);
            if (scheduled.compareAndSet(false, true)) {
                wakeups.add(this);
                selector.wakeup();
            }
        }

        void flush() throws IOException {
            scheduled.set(false);
            if (closed) {
                return;
            }
            while (!out.isEmpty()) {
                int n = 0;
                for (ByteBuffer b : out) {
                    gather[n++] = b;
                    if (n == GATHER) {
                        break;
                    }
                }
                ch.write(gather, 0, n);
                int done = 0;
                for (int i = 0; i < n; i++) {
                    if (gather[i].hasRemaining()) {
                        break;
                    }
                    done++;
                }
                for (int i = 0; i < done; i++) {
                    ByteBuffer b = out.poll();
                    queuedBytes.addAndGet(-b.capacity());
                }
                java.util.Arrays.fill(gather, 0, n, null);
                if (done < n) {
                    break; // the socket is full
                }
            }
            long queued = queuedBytes.get();
            int ops = SelectionKey.OP_READ;
            if (!out.isEmpty()) {
                ops |= SelectionKey.OP_WRITE;
            }
            if (queued > limits.maxQueuedReplyBytes()) {
                if (!readPaused) {
                    stats.increment("read_paused");
                }
                readPaused = true;
            } else if (readPaused && queued <= limits.maxQueuedReplyBytes() / 2) {
                readPaused = false;
            }
            if (readPaused || closing) {
                ops &= ~SelectionKey.OP_READ;
            }
            if (closing && out.isEmpty()) {
                close();
                return;
            }
            if (key.isValid() && key.interestOps() != ops) {
                key.interestOps(ops);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            open.remove(this);
            perAddress.computeIfPresent(source, (a, n) -> n == 1 ? null : n - 1);
            connections.decrementAndGet();
            key.cancel();
            try {
                ch.close();
            } catch (IOException ignored) {
                // closed anyway
            }
            out.clear();
        }
    }

    private void warnBackend(Throwable e) {
        long now = System.nanoTime();
        long last = lastBackendWarning.get();
        if (now - last > TimeUnit.SECONDS.toNanos(10) && lastBackendWarning.compareAndSet(last, now)) {
            LOG.warn("katar: a lookup failed and was answered TRYAGAIN: {} (further failures for 10 s are only counted)", e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            io.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Conn c : new ArrayList<>(open)) {
            c.close();
        }
        try {
            server.close();
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: the number of open connection objects the I/O thread tracks. */
    List<String> openRemotes() {
        List<String> out = new ArrayList<>();
        for (Conn c : open) {
            out.add(c.remote);
        }
        return out;
    }
}
