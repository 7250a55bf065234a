package org.overlaygate.search.katar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.FrameReader;

/**
 * A scripted SVP server on loopback for the client's tests: each request is handed to the current
 * {@link Behaviour}, which answers (well or badly) through its {@link Peer}. Records every request.
 */
final class FakeSvpServer implements AutoCloseable {
    /** What the server does with one request. */
    interface Behaviour {
        void on(Frame request, Peer peer) throws Exception;
    }

    /** One accepted connection: its number (from 1) and ways to answer. */
    final class Peer {
        final int index;
        private final Socket socket;
        private final OutputStream out;

        Peer(int index, Socket socket) throws IOException {
            this.index = index;
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        synchronized void reply(Frame request, int op, byte[] payload) throws IOException {
            raw(Frame.encode(op, request.id(), payload));
        }

        synchronized void raw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        /** The whole server goes down and comes back at once, as portolan under SMF after a crash: every connection closes. */
        void crashServer() {
            crashes.incrementAndGet();
            dropConnections();
        }
    }

    /** A request as received, with the connection it came on. */
    record Received(int connection, Frame frame, long atNanos) {
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    /** Times {@link Peer#crashServer} was called. */
    final AtomicInteger crashes = new AtomicInteger();
    volatile Behaviour behaviour;

    FakeSvpServer(InetSocketAddress bind, Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(bind);
        acceptor = new Thread(this::accept, "fake-svp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    FakeSvpServer(Behaviour behaviour) throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), behaviour);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Peer p = new Peer(accepted.incrementAndGet(), s);
                peers.add(p);
                Thread t = new Thread(() -> serve(p), "fake-svp-" + p.index);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Peer p) {
        FrameReader frames = new FrameReader(1 << 20);
        byte[] buf = new byte[8192];
        try (InputStream in = p.socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
                Frame f;
                while ((f = frames.next(chunk)) != null) {
                    received.add(new Received(p.index, f, System.nanoTime()));
                    behaviour.on(f, p);
                }
            }
        } catch (Exception e) {
            // the client went, or the test closed us
        } finally {
            p.close();
        }
    }

    /** Requests of one operation received so far. */
    List<Received> requests(int op) {
        return received.stream().filter(r -> r.frame().op() == op).toList();
    }

    /** Connections open now. */
    long open() {
        return peers.stream().filter(p -> !p.socket.isClosed()).count();
    }

    /** Closes every connection (the clients reconnect), keeping the listener. */
    void dropConnections() {
        peers.forEach(Peer::close);
    }

    @Override
    public void close() throws IOException {
        server.close();
        peers.forEach(Peer::close);
    }
}
