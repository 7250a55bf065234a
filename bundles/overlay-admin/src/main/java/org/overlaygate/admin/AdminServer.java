package org.overlaygate.admin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin UNIX socket, plain Java: binds it owner-only, accepts connections, reads one request
 * per connection within a deadline and hands it to a {@link Handler}. Bounded everywhere:
 * <ul>
 * <li>at most {@link Limits#maxConnections} connections at once (each has a thread while it sends
 * its request or its command runs); one more is answered "appliance busy" at once;</li>
 * <li>a request not complete within {@link Limits#requestTimeoutMs} is answered with the reason
 * and closed, so idle connections free their place;</li>
 * <li>at most {@link Limits#maxCommands} commands run at once; one more is answered "busy";</li>
 * <li>a request over {@link AdminProtocol#MAX_REQUEST} is answered with the limit (its bytes are
 * read and dropped, so the client sees the answer rather than a reset).</li>
 * </ul>
 * No input ends a thread other than its own connection's.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** Runs one request (a command line) and writes its output to {@code out}; returns the exit status. */
    interface Handler {
        int run(String request, DataOutputStream out);
    }

    /**
     * @param maxConnections connections open at once
     * @param maxCommands commands running at once
     * @param requestTimeoutMs how long a client may take to send its request
     */
    record Limits(int maxConnections, int maxCommands, long requestTimeoutMs) {
        static Limits defaults() {
            return new Limits(64, 16, 5000);
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Limits limits;
    private final Handler handler;
    private final ThreadPoolExecutor connections;
    private final Semaphore commands;
    private final ScheduledExecutorService timers;
    private final Thread acceptor;

    private AdminServer(Path path, ServerSocketChannel server, Limits limits, Handler handler) {
        this.path = path;
        this.server = server;
        this.limits = limits;
        this.handler = handler;
        this.commands = new Semaphore(limits.maxCommands());
        this.connections = new ThreadPoolExecutor(0, limits.maxConnections(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "overlayadm-connection"));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "overlayadm-timeout"));
        this.acceptor = daemon(this::acceptLoop, "overlayadm-accept");
    }

    /** Binds {@code path} (see {@link #bind}) and starts accepting. */
    static AdminServer start(Path path, Limits limits, Handler handler) throws IOException {
        AdminServer s = new AdminServer(path, bind(path), limits, handler);
        s.acceptor.start();
        return s;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    Path path() {
        return path;
    }

    /**
     * Binds the socket so that it is owner-only from the moment it can be reached, whatever the
     * umask and whatever the permissions of its directory: it is bound inside a fresh private
     * (0700) directory, made 0600 there, then renamed into place. The directory is created 0700
     * when missing. A socket file left by a crashed appliance is replaced; one that answers belongs
     * to a running appliance and is kept.
     */
    static ServerSocketChannel bind(Path path) throws IOException {
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path)) {
            boolean answers;
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                answers = true;
            } catch (IOException stale) {
                answers = false;
            }
            if (answers) {
                throw new IOException("another appliance is already listening on " + path);
            }
        }
        Path hidden = Files.createTempDirectory(dir, ".overlayadm-"); // 0700, whatever the umask
        Path bound = hidden.resolve("s");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } finally {
            Files.deleteIfExists(bound);
            Files.deleteIfExists(hidden);
        }
        return channel;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("admin socket accept failed: {}", e.getMessage());
                pause(); // out of file descriptors, say: do not spin
                continue;
            }
            try {
                connections.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                refuse(client, "appliance busy: " + limits.maxConnections() + " overlayadm connections open; try again");
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers a client with one error line and closes it, without reading its request. */
    private static void refuse(SocketChannel client, String message) {
        try (client) {
            AdminProtocol.writeError(new DataOutputStream(Channels.newOutputStream(client)), message);
        } catch (IOException ignored) {
            // the client went away; nothing to tell it
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(client));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client));
            Deadline deadline = new Deadline(client);
            String request;
            try {
                request = AdminProtocol.readRequest(in);
            } catch (AdminProtocol.BadRequest e) {
                if (deadline.settle()) {
                    LOG.warn("overlayadm: {}", e.getMessage());
                    AdminProtocol.writeError(out, e.getMessage());
                    drain(client);
                } else {
                    deadline.tell(out);
                }
                return;
            } catch (IOException e) {
                if (deadline.settle()) {
                    LOG.debug("overlayadm client went away before its request was complete: {}", e.toString());
                } else {
                    deadline.tell(out);
                }
                return;
            }
            if (!deadline.settle()) {
                deadline.tell(out);
                return;
            }
            if (!commands.tryAcquire()) {
                AdminProtocol.writeError(out, "appliance busy: " + limits.maxCommands() + " commands already running; try again");
                return;
            }
            try {
                int status = handler.run(request, out);
                synchronized (out) {
                    AdminProtocol.writeExit(out, status);
                }
            } finally {
                commands.release();
            }
        } catch (IOException e) {
            LOG.debug("overlayadm client went away: {}", e.toString());
        }
    }

    /**
     * Reads and drops what the client still sends, until it closes or the deadline passes: a
     * client still writing a refused request then reads the answer instead of a reset.
     */
    private void drain(SocketChannel client) {
        ScheduledFuture<?> stop = timers.schedule(() -> closeQuietly(client), limits.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        try {
            client.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(8192);
            while (client.read(sink) >= 0) {
                sink.clear();
            }
        } catch (IOException e) {
            LOG.debug("overlayadm: stopped reading a refused request: {}", e.toString());
        } finally {
            stop.cancel(false);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    /**
     * The request deadline of one connection. Whoever settles it first decides: the connection
     * thread when the request arrived in time, or the timer, which shuts the connection's input
     * so that the blocked read returns (a blocking channel cannot be written to by another thread
     * while one reads it); the connection thread then {@link #tell tells} the client.
     */
    private final class Deadline {
        private final AtomicBoolean settled = new AtomicBoolean();
        private final ScheduledFuture<?> timer;

        Deadline(SocketChannel client) {
            timer = timers.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    try {
                        client.shutdownInput();
                    } catch (IOException e) {
                        closeQuietly(client);
                    }
                }
            }, limits.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        }

        /** True when the request came in time; false when the deadline passed first. */
        boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            timer.cancel(false);
            return true;
        }

        /** Tells the client its request came too late. */
        void tell(DataOutputStream out) {
            LOG.debug("overlayadm: no complete request within {} ms; closing", limits.requestTimeoutMs());
            try {
                AdminProtocol.writeError(out, "no complete request within " + limits.requestTimeoutMs() + " ms; closing");
            } catch (IOException ignored) {
                // the client went away too
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.shutdownNow();
        timers.shutdownNow();
        Files.deleteIfExists(path);
    }
}
