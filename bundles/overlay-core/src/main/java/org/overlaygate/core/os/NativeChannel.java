package org.overlaygate.core.os;

import com.sun.jna.Native;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What the three native channels share: a close that is safe against concurrent readers and
 * writers, waiting with poll(2), per-thread native scratch memory, and direct-buffer addresses.
 *
 * <h2>Why close is built this way</h2>
 * A file descriptor number is reused by the kernel as soon as it is closed. If {@code close()}
 * simply closed the fd while a receive thread was inside {@code poll} or {@code read} on it, that
 * thread could go on to read from (or a writer write to) whatever file the number names next: a
 * different device, a socket, a configuration file. So:
 * <ol>
 * <li>Every operation {@link #enter() enters} the channel (a counter of users in one atomic int
 * whose low bit is the closed flag) and {@link #exit() exits} it when done. Entering a closed
 * channel throws {@link ClosedChannelException}.</li>
 * <li>Each channel owns an {@code eventfd}, polled beside its data fd. {@link #close()} sets the
 * closed bit and makes the eventfd readable, which wakes every waiting reader at once (a
 * timeout-only scheme would keep a reader waiting up to its full timeout, and a reader with an
 * infinite timeout forever). The eventfd is never drained, so any later poll returns at once
 * too.</li>
 * <li>Only when the user count has dropped to zero does close release the fd. Nothing ever blocks
 * inside the channel except in poll (fds are O_NONBLOCK), so this happens within microseconds.
 * If it somehow does not happen within {@value #CLOSE_WAIT_SECONDS} s, the fds are deliberately
 * leaked rather than closed under a user.</li>
 * </ol>
 * The scheme costs one CAS on entry and one atomic add on exit, and allocates nothing.
 *
 * <h2>Waiting: busy-poll, then sleep</h2>
 * A reader that finds nothing waits in poll(2), and the kernel wakes it when data comes: a
 * scheduler wake-up and a context switch on every packet that finds its thread asleep, which is
 * most of what a sparse or request/response packet pays here. With {@link #setBusyPoll} a waiting
 * reader first polls without sleeping (poll with a zero timeout, {@link Thread#onSpinWait()}
 * between) for that long, as Linux's {@code SO_BUSY_POLL} and DPDK do: a packet that comes within
 * that time is taken without a wake-up, at the cost of a CPU kept busy meanwhile. 0 (the default)
 * sleeps at once. {@link #sleeps()} and {@link #busyPolls()} count the waits of each kind.
 *
 * <h2>Allocation</h2>
 * Scratch memory for poll's {@code struct pollfd[2]}, a {@code sockaddr_in}, and libpcap's out
 * parameters is a small direct buffer per thread, made on the thread's first call; the address of
 * the caller's direct buffer is cached per thread (the last buffer used) and otherwise found with
 * {@link LibC#addressOf}, which does not allocate either.
 */
abstract class NativeChannel implements Closeable {
    private static final int CLOSED = 1;
    private static final int USER = 2;
    static final int CLOSE_WAIT_SECONDS = 5;

    /** Per-thread scratch: offsets into {@link Scratch#buffer}. */
    static final int SCRATCH_POLLFDS = 0;
    /** Bytes of one {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;
    static final int SCRATCH_SOCKADDR = 16;
    static final int SCRATCH_OUT0 = 32;
    static final int SCRATCH_OUT1 = 40;
    static final int SCRATCH_WORD = 48;
    /** Two iovecs, for a frame written behind a header kept here. */
    static final int SCRATCH_IOV = 64;
    /** 16 bytes that stay zero: an all-zero virtio_net_hdr. */
    static final int SCRATCH_ZEROS = 96;
    private static final int SCRATCH_SIZE = 112;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final AtomicInteger state = new AtomicInteger();
    private final AtomicLong droppedWrites = new AtomicLong();
    private final int wakeFd;
    private volatile boolean leaked;
    private volatile long busyPollNanos;
    private final AtomicLong sleeps = new AtomicLong();
    private final AtomicLong busyPolls = new AtomicLong();

    NativeChannel() throws IOException {
        LibC.requireSupportedPlatform();
        wakeFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (wakeFd < 0) {
            throw new IOException("cannot create eventfd: " + LibC.errorText(com.sun.jna.Native.getLastError()));
        }
    }

    /** "TAP device ogtap0", for messages. */
    abstract String description();

    /** Releases the native resources; called once, when no thread uses the channel any more. */
    abstract void closeResources();

    /**
     * Frames or packets dropped on output because the kernel could not take them at that moment
     * (socket buffer full: EAGAIN/ENOBUFS; a TAP device that is down: EIO). They are counted, not
     * thrown, so that a congested or downed device never costs an exception per packet.
     */
    public final long droppedWrites() {
        return droppedWrites.get();
    }

    final void countDroppedWrite() {
        droppedWrites.incrementAndGet();
    }

    /**
     * How long a waiting reader polls without sleeping before it sleeps in poll(2); 0 (the
     * default): not at all. Takes effect at the next wait.
     */
    public final void setBusyPoll(long nanos) {
        busyPollNanos = Math.max(0, nanos);
    }

    /** Waits that went to sleep in poll(2) (each costs the packet that ends it a wake-up). */
    public final long sleeps() {
        return sleeps.get();
    }

    /** Waits that began by busy-polling. */
    public final long busyPolls() {
        return busyPolls.get();
    }

    /** True once {@link #close()} has begun. */
    public final boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    final void enter() throws ClosedChannelException {
        for (;;) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
            if (state.compareAndSet(s, s + USER)) {
                return;
            }
        }
    }

    final void exit() {
        state.addAndGet(-USER);
    }

    /**
     * Closes the channel: wakes waiting readers (they throw {@link ClosedChannelException}),
     * waits for every thread inside an operation to leave, then releases the fds. Idempotent;
     * must not be called from inside an operation of this channel.
     */
    @Override
    public final void close() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        Scratch scratch = scratch();
        scratch.buffer.putLong(SCRATCH_WORD, 1L);
        LibC.write(wakeFd, scratch.address + SCRATCH_WORD, 8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
        while ((state.get() >>> 1) != 0) {
            if (System.nanoTime() - deadline > 0) {
                // A user did not leave: closing the fd under it could make it use a reused fd number.
                leaked = true;
                return;
            }
            LockSupport.parkNanos(50_000);
        }
        try {
            closeResources();
        } finally {
            LibC.close(wakeFd);
        }
    }

    /** True if close gave up waiting for a user and left the fds open (never expected). */
    final boolean leakedOnClose() {
        return leaked;
    }

    /** Deadline for a wait of timeoutMillis (negative: forever) starting now. */
    static long deadline(int timeoutMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    }

    /**
     * Waits with poll(2) until {@code fd} is readable (or has an error or hang-up to report, which
     * the following read will surface), the deadline passes, or the channel is closed.
     *
     * @return the fd's poll revents (POLLIN, POLLERR, ...; never 0) when it is ready, 0 on timeout
     * @throws ClosedChannelException when the channel was closed while waiting
     */
    final int awaitReadable(int fd, long deadlineNanos, boolean forever) throws IOException {
        Scratch scratch = scratch();
        ByteBuffer b = scratch.buffer;
        b.putInt(SCRATCH_POLLFDS, fd);
        b.putShort(SCRATCH_POLLFDS + 4, LibC.POLLIN);
        return awaitReadable(b, SCRATCH_POLLFDS, scratch.address + SCRATCH_POLLFDS, 1, deadlineNanos, forever) == 0
                ? 0 : b.getShort(SCRATCH_POLLFDS + 6) & 0xFFFF;
    }

    /**
     * Waits with poll(2) until one of {@code count} fds is readable (or has an error or hang-up to
     * report), the deadline passes, or the channel is closed. {@code fds} holds, at byte
     * {@code at} (native address {@code address}), room for {@code count + 1} {@code struct
     * pollfd}: the first {@code count} with their fd and events set by the caller, the last filled
     * here with the wake-up eventfd. Their revents say which are ready.
     *
     * @return the number of ready fds (never 0 when ready), 0 on timeout
     * @throws ClosedChannelException when the channel was closed while waiting
     */
    final int awaitReadable(ByteBuffer fds, int at, long address, int count, long deadlineNanos, boolean forever) throws IOException {
        int wake = at + count * POLLFD_SIZE;
        fds.putInt(wake, wakeFd);
        fds.putShort(wake + 4, LibC.POLLIN);
        long spin = busyPollNanos;
        if (spin > 0) {
            int ready = busyPoll(fds, at, address, count, forever ? spin : Math.min(spin, deadlineNanos - System.nanoTime()));
            if (ready != 0) {
                return ready;
            }
        }
        for (;;) {
            int millis;
            if (forever) {
                millis = -1;
            } else {
                long remaining = deadlineNanos - System.nanoTime();
                millis = remaining <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (remaining + 999_999) / 1_000_000);
            }
            clearRevents(fds, at, count);
            if (millis != 0) {
                sleeps.incrementAndGet();
            }
            int r = LibC.poll(address, count + 1, millis);
            if (r > 0) {
                if (fds.getShort(wake + 6) != 0 || isClosed()) {
                    throw new ClosedChannelException();
                }
                return r;
            }
            if (r == 0) {
                if (isClosed()) {
                    throw new ClosedChannelException();
                }
                if (millis == 0) {
                    return 0;
                }
                continue; // poll may return a little early: recompute what is left
            }
            int errno = com.sun.jna.Native.getLastError();
            if (errno != LibC.EINTR) {
                throw error("poll", errno);
            }
        }
    }

    /**
     * Polls the fds (and the wake-up eventfd) without sleeping for up to {@code nanos}: the number
     * of ready fds once one is ready, 0 when the time ran out first.
     *
     * @throws ClosedChannelException when the channel was closed meanwhile
     */
    private int busyPoll(ByteBuffer fds, int at, long address, int count, long nanos) throws IOException {
        if (nanos <= 0) {
            return 0;
        }
        busyPolls.incrementAndGet();
        int wake = at + count * POLLFD_SIZE;
        long start = System.nanoTime();
        do {
            clearRevents(fds, at, count);
            int r = LibC.poll(address, count + 1, 0);
            if (r > 0) {
                if (fds.getShort(wake + 6) != 0 || isClosed()) {
                    throw new ClosedChannelException();
                }
                return r;
            }
            if (r < 0) {
                int errno = com.sun.jna.Native.getLastError();
                if (errno != LibC.EINTR) {
                    throw error("poll", errno);
                }
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - start < nanos);
        return 0;
    }

    private static void clearRevents(ByteBuffer fds, int at, int count) {
        for (int i = 0; i <= count; i++) {
            fds.putShort(at + i * POLLFD_SIZE + 6, (short) 0);
        }
    }

    /** A one-line IOException: "TAP device ogtap0: read: Bad file descriptor". */
    final IOException error(String operation, int errno) {
        return new IOException(description() + ": " + operation + ": " + LibC.errorText(errno));
    }

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /** Checks [offset, offset+length) lies inside a direct buffer and returns the buffer's base address. */
    static long checkedAddress(ByteBuffer direct, int offset, int length) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        if (offset < 0 || length < 0 || offset > direct.capacity() - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", capacity " + direct.capacity());
        }
        return scratch().addressOf(direct);
    }

    /** setsockopt(2) of an int option through the thread's scratch; returns 0, or the errno. */
    static int setIntOption(int fd, int level, int option, int value) {
        Scratch scratch = scratch();
        scratch.buffer.putInt(SCRATCH_WORD, value);
        return LibC.setsockopt(fd, level, option, scratch.address + SCRATCH_WORD, 4) < 0 ? Native.getLastError() : 0;
    }

    /** getsockopt(2) of an int option through the thread's scratch: the value, or -1 - errno. */
    static int getIntOption(int fd, int level, int option) {
        Scratch scratch = scratch();
        scratch.buffer.putInt(SCRATCH_WORD, 0);
        scratch.buffer.putInt(SCRATCH_OUT0, 4);
        if (LibC.getsockopt(fd, level, option, scratch.address + SCRATCH_WORD, scratch.address + SCRATCH_OUT0) < 0) {
            return -1 - Native.getLastError();
        }
        return scratch.buffer.getInt(SCRATCH_WORD);
    }

    /** Per-thread native scratch memory and the last direct buffer whose address was looked up. */
    static final class Scratch {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(SCRATCH_SIZE).order(ByteOrder.nativeOrder());
        final long address = LibC.addressOf(buffer);
        private ByteBuffer lastBuffer;
        private long lastAddress;

        long addressOf(ByteBuffer direct) {
            if (direct != lastBuffer) {
                lastAddress = LibC.addressOf(direct);
                lastBuffer = direct;
            }
            return lastAddress;
        }

        /** Writes a sockaddr_in for an IPv4 address (network order as a Java int) at SCRATCH_SOCKADDR. */
        long sockaddrIn(int ipv4) {
            return sockaddrIn(ipv4, 0);
        }

        /** The same with a port (sin_port is big-endian, like the address). */
        long sockaddrIn(int ipv4, int port) {
            putSockaddrIn(buffer, SCRATCH_SOCKADDR, ipv4, port);
            return address + SCRATCH_SOCKADDR;
        }
    }

    /** Writes a {@code struct sockaddr_in} at {@code at} (native-order buffer): family, then port and address big-endian. */
    static void putSockaddrIn(ByteBuffer b, int at, int ipv4, int port) {
        b.putShort(at, (short) LibC.AF_INET);
        b.put(at + 2, (byte) (port >>> 8));
        b.put(at + 3, (byte) port);
        b.put(at + 4, (byte) (ipv4 >>> 24));
        b.put(at + 5, (byte) (ipv4 >>> 16));
        b.put(at + 6, (byte) (ipv4 >>> 8));
        b.put(at + 7, (byte) ipv4);
        b.putLong(at + 8, 0L);
    }
}
