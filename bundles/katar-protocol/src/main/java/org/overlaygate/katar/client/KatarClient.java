package org.overlaygate.katar.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.FrameReader;
import org.overlaygate.katar.protocol.Messages;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Request;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;

/**
 * An asynchronous katar client on one TCP connection: any number of requests outstanding (up to
 * a bound), each answered through its own future, matched by id whatever the order of replies.
 * Replies are CRC-checked; a bad reply (CRC, version, size, an op that does not answer the
 * request) closes the connection and fails every outstanding request, as a server does with a bad
 * request. Status codes are returned, not thrown, so callers see NOTFOUND and TRYAGAIN as answers.
 * One reader thread per connection; sending is synchronized.
 */
public final class KatarClient implements AutoCloseable {
    /** Largest reply accepted by default (BULK_ACK pages and LOG_ACK are the big ones). */
    public static final int DEFAULT_MAX_REPLY = 1 << 20;

    private final Socket socket;
    private final OutputStream out;
    private final int maxOutstanding;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread reader;
    private volatile Throwable failure;

    private static final class Pending {
        final int expectedOp;
        final CompletableFuture<Frame> future = new CompletableFuture<>();

        Pending(int expectedOp) {
            this.expectedOp = expectedOp;
        }
    }

    private KatarClient(Socket socket, int maxReply, int maxOutstanding) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.maxOutstanding = maxOutstanding;
        InputStream in = socket.getInputStream();
        this.reader = new Thread(() -> readLoop(in, new FrameReader(maxReply)),
                "katar-client " + socket.getRemoteSocketAddress());
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects with a 5 s timeout, default reply limit and at most 1024 outstanding requests. */
    public static KatarClient connect(InetSocketAddress server) throws IOException {
        return connect(server, 5000, DEFAULT_MAX_REPLY, 1024);
    }

    public static KatarClient connect(InetSocketAddress server, int connectTimeoutMs, int maxReply, int maxOutstanding)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(server, connectTimeoutMs);
            return new KatarClient(s, maxReply, maxOutstanding);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Sends a request and returns the future of its reply frame (any status). */
    public CompletableFuture<Frame> request(int op, byte[] payload) {
        int expected = Svp.replyOf(op);
        if (expected < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(Svp.opName(op) + " is not a request"));
        }
        if (failure != null) {
            return CompletableFuture.failedFuture(new KatarException("connection closed: " + failure.getMessage(), failure));
        }
        if (pending.size() >= maxOutstanding) {
            return CompletableFuture.failedFuture(new KatarException(maxOutstanding + " requests already outstanding"));
        }
        int id = nextId.getAndIncrement();
        Pending p = new Pending(expected);
        pending.put(id, p);
        try {
            send(Frame.encode(op, id, payload));
        } catch (IOException e) {
            pending.remove(id);
            fail(e);
            return CompletableFuture.failedFuture(new KatarException("send failed: " + e.getMessage(), e));
        }
        if (failure != null && pending.remove(id) != null) {
            p.future.completeExceptionally(new KatarException("connection closed: " + failure.getMessage(), failure));
        }
        return p.future;
    }

    /** Writes bytes as they are (tests send broken messages with this). */
    public void sendRaw(byte[] bytes) throws IOException {
        send(bytes);
    }

    private synchronized void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public CompletableFuture<Void> ping() {
        return request(Svp.OP_PING, new byte[0]).thenApply(f -> null);
    }

    public CompletableFuture<Vl2Ack> vl2(long vnetId, long mac) {
        return request(Svp.OP_VL2_REQ, new Vl2Request(mac, vnetId).encode()).thenApply(f -> decode(f, Vl2Ack::decode));
    }

    public CompletableFuture<Vl3Ack> vl3(long vnetId, byte[] ip, long type) {
        return request(Svp.OP_VL3_REQ, new Vl3Request(ip, type, vnetId).encode()).thenApply(f -> decode(f, Vl3Ack::decode));
    }

    /** LOG_REQ: at most {@code count} bytes of LOG_ACK payload for the host with this underlay address. */
    public CompletableFuture<LogAck> log(long count, byte[] underlayIp) {
        return request(Svp.OP_LOG_REQ, new LogRequest(count, underlayIp).encode()).thenApply(f -> decode(f, LogAck::decode));
    }

    public CompletableFuture<Long> logRemove(List<byte[]> ids) {
        return request(Svp.OP_LOG_RM, new Messages.LogRemove(ids).encode())
                .thenApply(f -> decode(f, StatusOnly::decode).status());
    }

    public CompletableFuture<BulkAck> bulk(BulkRequest request) {
        return request(Svp.OP_BULK_REQ, request.encode()).thenApply(f -> decode(f, BulkAck::decode));
    }

    private interface Decoder<T> {
        T decode(byte[] payload) throws ProtocolException;
    }

    private <T> T decode(Frame f, Decoder<T> decoder) {
        try {
            return decoder.decode(f.payload());
        } catch (ProtocolException e) {
            fail(e);
            throw new IllegalStateException("malformed " + Svp.opName(f.op()) + " from the server: " + e.getMessage(), e);
        }
    }

    private void readLoop(InputStream in, FrameReader frames) {
        byte[] buf = new byte[64 * 1024];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new KatarException("the server closed the connection");
                }
                ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
                Frame f;
                while ((f = frames.next(chunk)) != null) {
                    deliver(f);
                }
            }
        } catch (IOException | ProtocolException | RuntimeException e) {
            fail(e);
        }
    }

    private void deliver(Frame f) throws KatarException {
        Pending p = pending.remove(f.id());
        if (p == null) {
            throw new KatarException("reply " + f + " answers no outstanding request");
        }
        if (f.op() == Svp.OP_UNKNOWN) {
            long status = f.payload().length == 4 ? ByteBuffer.wrap(f.payload()).getInt() & 0xFFFF_FFFFL : -1;
            p.future.completeExceptionally(KatarException.status("the server refused the request", status));
            return;
        }
        if (f.op() != p.expectedOp) {
            p.future.completeExceptionally(new KatarException("expected " + Svp.opName(p.expectedOp) + ", got " + f));
            throw new KatarException("reply " + f + " does not answer its request");
        }
        p.future.complete(f);
    }

    private void fail(Throwable cause) {
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Integer id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future.completeExceptionally(new KatarException("connection closed: " + cause.getMessage(), cause));
            }
        }
        closed.complete(null);
    }

    /** Completes when the connection is closed, by either side. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    public boolean isOpen() {
        return failure == null;
    }

    /** Why the connection closed, or null while it is open. */
    public Throwable failure() {
        return failure;
    }

    public int outstanding() {
        return pending.size();
    }

    @Override
    public void close() {
        fail(new KatarException("closed by the client"));
    }
}
