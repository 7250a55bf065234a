package org.overlaygate.katar.server.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.FrameReader;
import org.overlaygate.katar.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's framing: bytes in, cut into messages and handed to the
 * {@link Dispatcher} while {@link Admission} lets it take requests; replies out, in the order they
 * are ready. Touched by the I/O thread only, except where a field says otherwise.
 *
 * <p>When admission pauses it between two messages, the bytes already read stay in a buffer of
 * its own (at most one read) and the socket is not read until it resumes: the client's requests
 * wait in the kernel and in its own send buffer, not in the heap.
 */
final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final int GATHER = 64;

    /** What a connection needs of the server that runs it. */
    interface Owner {
        /** Wakes the I/O thread to flush {@code c} (from a worker). */
        void wake(Connection c);

        /** Forgets {@code c}: it is closed. */
        void closed(Connection c);
    }

    final SocketChannel ch;
    final InetAddress source;
    final String remote;
    final FrameReader reader;
    private final Owner owner;
    private final Admission admission;
    private final Dispatcher dispatcher;
    private final ServerStats stats;
    /** Replies waiting to be written; workers add, the I/O thread removes. */
    private final Queue<ByteBuffer> out = new ConcurrentLinkedQueue<>();
    /** Bytes this connection holds: queued replies and the largest reply of each request in a worker (any thread). */
    final AtomicLong held = new AtomicLong();
    /** Requests handed to workers and not yet answered (any thread). */
    final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ByteBuffer[] gather = new ByteBuffer[GATHER];
    SelectionKey key;
    /** When the last complete message arrived (or the connection, before the first). */
    long lastMessage = System.nanoTime();
    /** When the first byte of the message being read arrived; meaningful while {@code reader.inMessage()}. */
    long messageStart;
    /** When a write last moved bytes, or nothing waited to be written. */
    long lastWriteProgress = System.nanoTime();
    /** Why no request is taken now, or null. */
    private Admission.Pause paused;
    /** Bytes read but not yet cut into messages when a pause began. */
    private ByteBuffer leftover;
    /** A fatal answer is queued: write what is queued, then close. */
    private boolean closing;
    volatile boolean closed;

    Connection(SocketChannel ch, InetAddress source, int maxMessageBytes, Owner owner, Admission admission, Dispatcher dispatcher,
            ServerStats stats) {
        this.ch = ch;
        this.source = source;
        this.reader = new FrameReader(maxMessageBytes);
        this.owner = owner;
        this.admission = admission;
        this.dispatcher = dispatcher;
        this.stats = stats;
        String r;
        try {
            r = String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            r = "?";
        }
        this.remote = r;
    }

    /** Reads what the socket has into {@code buffer} (the I/O thread's) and takes the messages in it. */
    void read(ByteBuffer buffer) throws IOException {
        if (paused != null || closing) {
            return; // not interested in reading: a readiness reported before the pause
        }
        buffer.clear();
        int n = ch.read(buffer);
        if (n < 0) {
            close();
            return;
        }
        buffer.flip();
        take(buffer);
        flush();
    }

    /** Cuts messages out of {@code in} and dispatches them until it is empty or admission pauses. */
    private void take(ByteBuffer in) {
        long now = System.nanoTime();
        boolean continuing = reader.inMessage();
        try {
            while (!closing && !closed && in.hasRemaining()) {
                if (!reader.inMessage()) {
                    Admission.Pause why = admission.pause(this);
                    if (why != null) {
                        pause(why, in);
                        return;
                    }
                }
                Frame f = reader.next(in);
                if (f == null) {
                    break;
                }
                continuing = false;
                lastMessage = now;
                dispatcher.handle(this, f);
            }
            if (reader.inMessage() && !continuing) {
                messageStart = now; // a new message began in this read
            } else if (!reader.inMessage() && !closing && !closed && paused == null) {
                Admission.Pause why = admission.pause(this);
                if (why != null) {
                    pause(why, in); // read no more now
                }
            }
        } catch (ProtocolException e) {
            stats.increment("closed_" + e.reason().counter);
            LOG.debug("katar: closing {}: {}", remote, e.getMessage());
            close();
        }
    }

    private void pause(Admission.Pause why, ByteBuffer in) {
        if (paused == null) {
            stats.increment(why.counter);
        }
        paused = why;
        // The rest of one read, no more: the socket is not read again until the pause ends.
        leftover = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : null;
    }

    /** Queues a reply written by the I/O thread (an answer at once, a refusal). */
    void reply(int id, int op, byte[] payload) {
        byte[] msg = Frame.encode(op, id, payload);
        admission.hold(this, msg.length);
        out.add(ByteBuffer.wrap(msg));
    }

    /** Queues a worker's reply to a request for which {@code reserved} bytes were held, and wakes the I/O thread. */
    void answered(byte[] msg, int reserved) {
        if (closed) {
            admission.hold(this, -reserved);
            return;
        }
        admission.hold(this, msg.length - reserved);
        out.add(ByteBuffer.wrap(msg));
        if (closed) {
            discardQueued(); // closed meanwhile: what close() did not see is released here
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            owner.wake(this);
        }
    }

    /** After a malformed or unknown request: write what is queued (its FATAL answer), then close. */
    void closeAfterReplies() {
        closing = true;
    }

    boolean idle(long now, long idleNanos) {
        return !reader.inMessage() && now - lastMessage > idleNanos && outstanding.get() == 0 && out.isEmpty();
    }

    boolean stalled(long now, long stalledNanos) {
        return reader.inMessage() && now - messageStart > stalledNanos;
    }

    /** Replies wait and not one byte of them was taken by the client for this long. */
    boolean notReading(long now, long limitNanos) {
        return !out.isEmpty() && now - lastWriteProgress > limitNanos;
    }

    /** Writes what the socket takes; takes requests again when admission allows; sets what to wait for. */
    void flush() throws IOException {
        scheduled.set(false);
        if (closed) {
            return;
        }
        write();
        if (paused != null && !closing && admission.mayResume(this, paused)) {
            paused = null;
            ByteBuffer rest = leftover;
            if (rest != null) {
                leftover = null;
                take(rest);
                if (closed) {
                    return;
                }
                write();
            }
        }
        if (closing && out.isEmpty()) {
            close();
            return;
        }
        int ops = paused != null || closing ? 0 : SelectionKey.OP_READ;
        if (!out.isEmpty()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void write() throws IOException {
        long now = System.nanoTime();
        while (!out.isEmpty()) {
            int n = 0;
            for (ByteBuffer b : out) {
                gather[n++] = b;
                if (n == GATHER) {
                    break;
                }
            }
            long written = ch.write(gather, 0, n);
            if (written > 0) {
                lastWriteProgress = now;
            }
            int done = 0;
            for (int i = 0; i < n; i++) {
                if (gather[i].hasRemaining()) {
                    break;
                }
                done++;
            }
            for (int i = 0; i < done; i++) {
                ByteBuffer b = out.poll();
                admission.hold(this, -b.capacity());
            }
            Arrays.fill(gather, 0, n, null);
            if (done < n) {
                return; // the socket is full
            }
        }
        lastWriteProgress = now;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        owner.closed(this);
        if (key != null) {
            key.cancel();
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        leftover = null;
        discardQueued();
    }

    /** Releases every queued reply; each is taken by exactly one poll, here or in a racing worker. */
    private void discardQueued() {
        ByteBuffer b;
        while ((b = out.poll()) != null) {
            admission.hold(this, -b.capacity());
        }
    }
}
