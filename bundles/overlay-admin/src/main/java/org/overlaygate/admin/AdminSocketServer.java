package org.overlaygate.admin;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the admin UNIX socket and runs one Gogo command per connection. At most
 * {@link #MAX_CONCURRENT} commands run at once; a further client is told the appliance is busy.
 */
@Component(immediate = true)
public final class AdminSocketServer {
    private static final Logger LOG = LoggerFactory.getLogger(AdminSocketServer.class);

    /** Framework property naming the socket path. */
    static final String SOCKET_PROPERTY = "overlaygate.admin.socket";
    /** Framework property naming the distribution directory; the default socket lives under it. */
    static final String HOME_PROPERTY = "overlaygate.home";
    static final int MAX_CONCURRENT = 4;

    @Reference
    private CommandProcessor processor;

    private Path socketPath;
    private ServerSocketChannel server;
    private ThreadPoolExecutor workers;
    private Thread acceptor;

    @Activate
    void activate(BundleContext context) throws IOException {
        socketPath = socketPath(context.getProperty(SOCKET_PROPERTY), context.getProperty(HOME_PROPERTY));
        server = bind(socketPath);
        workers = new ThreadPoolExecutor(0, MAX_CONCURRENT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "overlayadm-command");
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::acceptLoop, "overlayadm-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("admin socket listening on {}", socketPath);
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
        workers.shutdownNow();
        Files.deleteIfExists(socketPath);
        LOG.info("admin socket {} closed", socketPath);
    }

    static Path socketPath(String configured, String home) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath();
        }
        return Paths.get(home == null ? "." : home, "run", "overlayadm.sock").toAbsolutePath();
    }

    /**
     * Binds the socket with owner-only permissions. The directory is created owner-only too, so
     * there is no moment in which another user could connect. A socket file left by a crashed
     * appliance is replaced; one that answers belongs to a running appliance and is kept.
     */
    static ServerSocketChannel bind(Path path) throws IOException {
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException("another appliance is already listening on " + path);
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().startsWith("another appliance")) {
                    throw stale;
                }
                Files.delete(path);
            }
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
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
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                refuseBusy(client);
            }
        }
    }

    private static void refuseBusy(SocketChannel client) {
        try (client) {
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client));
            byte[] msg = ("appliance busy: " + MAX_CONCURRENT + " commands already running; try again\n").getBytes(StandardCharsets.UTF_8);
            AdminProtocol.writeFrame(out, AdminProtocol.STDERR, msg, 0, msg.length);
            AdminProtocol.writeExit(out, 1);
        } catch (IOException ignored) {
            // the client went away; nothing to tell it
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(client));
            DataOutputStream sock = new DataOutputStream(Channels.newOutputStream(client));
            String line;
            try {
                line = AdminProtocol.readRequest(in);
            } catch (IOException e) {
                LOG.warn("bad admin request: {}", e.getMessage());
                return;
            }
            int status = run(line, sock);
            synchronized (sock) {
                AdminProtocol.writeExit(sock, status);
            }
        } catch (IOException e) {
            LOG.debug("admin client went away: {}", e.getMessage());
        }
    }

    /** Runs one command line; returns the exit status. */
    int run(String line, DataOutputStream sock) {
        PrintStream out = new PrintStream(new FramedOutputStream(sock, AdminProtocol.STDOUT), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FramedOutputStream(sock, AdminProtocol.STDERR), true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
        try {
            LOG.info("overlayadm: {}", line);
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                out.print(text);
                if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
                    out.println();
                }
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println(CommandErrors.message(e));
            if (!CommandErrors.isOperatorError(e)) {
                LOG.error("overlayadm command '{}' failed", line, e);
            }
            err.flush();
            return 1;
        } finally {
            session.close();
        }
    }
}
