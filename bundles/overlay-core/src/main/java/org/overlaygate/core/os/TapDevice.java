package org.overlaygate.core.os;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.overlaygate.core.base.DropReasons;

/**
 * A Linux TAP device (IFF_TAP | IFF_NO_PI) created and owned by this process; removed when closed.
 *
 * <p>The device is created through {@code /dev/net/tun} with {@code IFF_TUN_EXCL}, so an existing
 * interface of that name is never taken over, and it is not made persistent, so the kernel removes
 * it when the fd is closed (also when the JVM dies). The fd is O_NONBLOCK; {@link #read} waits with
 * poll(2).
 *
 * <p>Configuration: {@link #setMacAddress}/{@link #macAddress} go through the TAP fd itself and so
 * keep working after the device was moved to another network namespace ({@code ip link set DEV
 * netns NS}); {@link #setMtu} and {@link #setUp} use a control socket of the namespace the device
 * was created in, so do them before moving it. Reading and writing frames works wherever the device
 * is.
 *
 * <p>Queues: created with several ({@link #create(String, boolean, int)}), the device is
 * IFF_MULTI_QUEUE with an fd per queue; the kernel puts what the stack sends into one queue per
 * flow, read with {@link #awaitQueues} and {@link #readQueue} ({@link #read} reads queue 0 only),
 * and frames may be written through any queue.
 *
 * <p>Threading: one thread reads each queue (one reads queue 0 with {@link #read} while another
 * waits on the others, see {@link #leaveOutOfAwait}); any number of threads may write at once (a
 * TAP write is one atomic syscall). {@link #close()} may be called from any thread: a waiting reader wakes at once
 * and gets {@link java.nio.channels.ClosedChannelException}. See {@link NativeChannel}.
 */
public final class TapDevice extends NativeChannel {
    private static final String TUN_PATH = "/dev/net/tun";
    /** The most queues a device gets here: {@link #awaitQueues} answers with a bit per queue in a long. */
    public static final int MAX_QUEUES = 64;

    private final String name;
    /** One fd per queue; fd[0] also carries the device's configuration ioctls. */
    private final int[] fds;
    private final int fd;
    private final int controlFd;
    /** Why the device has fewer queues than asked for, or null. */
    private final String queueRefusal;
    /** {@code struct pollfd} for every queue and the wake-up eventfd: the reader's, for {@link #awaitQueues}. */
    private final ByteBuffer pollfds;
    private final long pollfdsAddress;

    private TapDevice(String name, int[] fds, int controlFd, String queueRefusal) throws IOException {
        this.name = name;
        this.fds = fds;
        this.fd = fds[0];
        this.controlFd = controlFd;
        this.queueRefusal = queueRefusal;
        this.pollfds = ByteBuffer.allocateDirect((fds.length + 1) * POLLFD_SIZE).order(ByteOrder.nativeOrder());
        this.pollfdsAddress = LibC.addressOf(pollfds);
        for (int q = 0; q < fds.length; q++) {
            pollfds.putInt(q * POLLFD_SIZE, fds[q]);
            pollfds.putShort(q * POLLFD_SIZE + 4, LibC.POLLIN);
        }
    }

    /**
     * Creates the device; a clear one-line IOException on failure, e.g. {@code cannot create TAP
     * device ogtap0: Operation not permitted (needs root or CAP_NET_ADMIN)} or {@code ... already
     * exists}. Names: 1-15 chars, [A-Za-z0-9_.-].
     */
    public static TapDevice create(String name) throws IOException {
        return create(name, false);
    }

    /**
     * Creates the device, with {@code vnetHeader} a {@code virtio_net_hdr} of
     * {@link #VNET_HEADER_LENGTH} bytes in front of every frame read and written (IFF_VNET_HDR),
     * which is what lets the kernel hand over TCP segments larger than the MTU and frames whose
     * checksum is still to be completed (see {@link #enableOffloads}).
     */
    public static TapDevice create(String name, boolean vnetHeader) throws IOException {
        return create(name, vnetHeader, 1);
    }

    /**
     * Creates the device with up to {@code queues} queues (1 to {@value #MAX_QUEUES}): with more
     * than one it is an IFF_MULTI_QUEUE device with an fd per queue, and the kernel spreads what
     * the stack behind it sends over the queues by flow (tun_select_queue), so that a small flow
     * does not wait in the same queue behind a bulk one. When the kernel refuses multi-queue or
     * more queues, the device has what the kernel gave (at least one) and
     * {@link #queueRefusal()} says why.
     */
    public static TapDevice create(String name, boolean vnetHeader, int queues) throws IOException {
        LibC.requireSupportedPlatform();
        Ifreq.checkName(name);
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("a TAP device has 1 to " + MAX_QUEUES + " queues, not " + queues);
        }
        String what = "cannot create TAP device " + name;
        short flags = (short) (LibC.IFF_TAP | LibC.IFF_NO_PI | (vnetHeader ? LibC.IFF_VNET_HDR : 0));
        int[] fds = new int[queues];
        int opened = 0;
        int controlFd = -1;
        String refusal = null;
        try {
            fds[0] = openTun(what);
            opened = 1;
            int errno = queues > 1 ? attach(fds[0], name, (short) (flags | LibC.IFF_TUN_EXCL | LibC.IFF_MULTI_QUEUE)) : -1;
            if (errno == LibC.EINVAL && !new java.io.File("/sys/class/net/" + name).exists()) {
                refusal = "multi-queue refused: " + LibC.errorText(errno) + " (a kernel without IFF_MULTI_QUEUE?)";
                errno = -1; // (the fd is still unattached: try again with one queue)
            }
            if (errno == -1) {
                errno = attach(fds[0], name, (short) (flags | LibC.IFF_TUN_EXCL));
            }
            if (errno != 0) {
                String reason;
                if (errno == LibC.EBUSY || errno == LibC.EEXIST) {
                    reason = name + " already exists";
                } else if (errno == LibC.EINVAL && new java.io.File("/sys/class/net/" + name).exists()) {
                    reason = name + " already exists (and is not a TAP device)";
                } else {
                    reason = LibC.errorText(errno) + Ifreq.hint(errno);
                }
                throw new IOException(what + ": " + reason);
            }
            if (refusal == null) {
                for (; opened < queues; opened++) {
                    fds[opened] = openTun(what);
                    errno = attach(fds[opened], name, (short) (flags | LibC.IFF_MULTI_QUEUE));
                    if (errno != 0) {
                        refusal = "queue " + (opened + 1) + " of " + queues + " refused: " + LibC.errorText(errno);
                        LibC.close(fds[opened]);
                        break;
                    }
                }
            }
            controlFd = Ifreq.controlSocket(what);
            return new TapDevice(name, java.util.Arrays.copyOf(fds, opened), controlFd, refusal);
        } catch (IOException | RuntimeException | Error e) {
            if (controlFd >= 0) {
                LibC.close(controlFd);
            }
            for (int q = 0; q < opened; q++) {
                LibC.close(fds[q]);
            }
            throw e;
        }
    }

    private static int openTun(String what) throws IOException {
        int fd = LibC.open(TUN_PATH, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new IOException(what + ": cannot open " + TUN_PATH + ": " + LibC.errorText(errno)
                    + (errno == LibC.ENOENT || errno == LibC.ENODEV ? " (is the tun module loaded?)" : Ifreq.hint(errno)));
        }
        return fd;
    }

    /** TUNSETIFF: creates the device or, for a multi-queue one that exists, attaches the fd as one more queue; 0 or the errno. */
    private static int attach(int fd, String name, short flags) {
        Ifreq ifr = new Ifreq(name);
        ifr.putShort(0, flags);
        return ifr.ioctl(fd, LibC.TUNSETIFF);
    }

    /** The device's queues (an fd each): 1 unless it was created with more and the kernel gave them. */
    public int queues() {
        return fds.length;
    }

    /** Why the device has fewer queues than asked for (one line), or null when it has them all. */
    public String queueRefusal() {
        return queueRefusal;
    }

    /** Length of the virtio_net_hdr in front of frames of a device created with a vnet header. */
    public static final int VNET_HEADER_LENGTH = 10;

    /**
     * Whether the device takes the frames it is written as its vnet header describes them (a TCP
     * segment of up to 64 KiB with GSO TCPV4/TCPV6 and a partial checksum included): the kernel
     * must be one that has TUNGETVNETHDRSZ (2.6.32), and the device must say its vnet header is
     * the {@value #VNET_HEADER_LENGTH} bytes written.
     *
     * @return null when it does, otherwise why not (one line, for the operator)
     */
    public String probeSegmentedWrites() throws IOException {
        if (!Kernel.atLeast(2, 6)) {
            return Kernel.needs(2, 6);
        }
        enter();
        try {
            Scratch scratch = scratch();
            scratch.buffer.putInt(SCRATCH_WORD, 0);
            if (LibC.ioctl(fd, LibC.TUNGETVNETHDRSZ, scratch.address + SCRATCH_WORD) < 0) {
                return "TUNGETVNETHDRSZ: " + LibC.errorText(Native.getLastError());
            }
            int size = scratch.buffer.getInt(SCRATCH_WORD);
            return size == VNET_HEADER_LENGTH ? null : "the device's vnet header is " + size + " bytes, not " + VNET_HEADER_LENGTH;
        } finally {
            exit();
        }
    }

    /**
     * Tells the kernel this reader completes checksums and segments TCP (TUN_F_CSUM, TUN_F_TSO4,
     * TUN_F_TSO6): the stack behind the device then sends TCP segments of up to 64 KiB and leaves
     * checksums partial, which saves it most of its per-packet work. Needs a vnet header.
     */
    public void enableOffloads() throws IOException {
        enter();
        try {
            if (LibC.ioctl(fd, LibC.TUNSETOFFLOAD, LibC.TUN_F_CSUM | LibC.TUN_F_TSO4 | LibC.TUN_F_TSO6) < 0) {
                throw error("TUNSETOFFLOAD", Native.getLastError());
            }
        } finally {
            exit();
        }
    }

    public String name() {
        return name;
    }

    @Override
    String description() {
        return "TAP device " + name;
    }

    /** Sets the MAC address: the low 48 bits, first octet most significant (see {@code org.overlaygate.api.MacAddress}). */
    public void setMacAddress(long mac) throws IOException {
        enter();
        try {
            Ifreq.setMac(fd, name, description(), mac);
        } finally {
            exit();
        }
    }

    public long macAddress() throws IOException {
        enter();
        try {
            return Ifreq.getMac(fd, name, description());
        } finally {
            exit();
        }
    }

    /** Sets the MTU (before the device is moved to another network namespace). */
    public void setMtu(int mtu) throws IOException {
        enter();
        try {
            Ifreq.setMtu(controlFd, name, description(), mtu);
        } finally {
            exit();
        }
    }

    /** The MTU (as seen from the network namespace the device was created in). */
    public int mtu() throws IOException {
        enter();
        try {
            return Ifreq.getMtu(controlFd, name, description());
        } finally {
            exit();
        }
    }

    /** Sets IFF_UP (before the device is moved to another network namespace). */
    public void setUp() throws IOException {
        enter();
        try {
            Ifreq.setUp(controlFd, name, description());
        } finally {
            exit();
        }
    }

    /**
     * Waits up to timeoutMillis for one frame and copies it into the DIRECT buffer at absolute
     * index offset (position/limit untouched). Returns the frame length, 0 on timeout; throws
     * {@link java.nio.channels.ClosedChannelException} once closed (also when closed from another
     * thread while waiting, which wakes the waiter at once). A negative timeout waits until a
     * frame arrives or the device is closed; 0 only takes a frame that is already there.
     *
     * <p>Leave room for the largest frame (MTU + 14, + 4 with a VLAN tag): a frame that does not
     * fit is dropped by the kernel.
     */
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        long address = checkedAddress(direct, offset, 0) + offset;
        long room = direct.capacity() - offset;
        enter();
        try {
            long deadline = deadline(timeoutMillis);
            for (;;) {
                int n = readOnce(fd, address, room);
                if (n >= 0) {
                    return n;
                }
                if (timeoutMillis == 0 || awaitReadable(fd, deadline, timeoutMillis < 0) == 0) {
                    return 0; // (a zero timeout costs no poll: the read just said there is nothing)
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * Takes one frame from queue {@code queue} if it has one, without waiting: its length, 0 when
     * the queue is empty. As {@link #read} otherwise.
     */
    public int readQueue(int queue, ByteBuffer direct, int offset) throws IOException {
        long address = checkedAddress(direct, offset, 0) + offset;
        long room = direct.capacity() - offset;
        enter();
        try {
            return Math.max(0, readOnce(fds[queue], address, room));
        } finally {
            exit();
        }
    }

    /** One read(2) of a frame (again after EINTR): its length, -1 when there is none (EAGAIN). */
    private int readOnce(int queueFd, long address, long room) throws IOException {
        for (;;) {
            long n = LibC.read(queueFd, address, room);
            if (n >= 0) {
                return (int) n;
            }
            int errno = Native.getLastError();
            if (errno == LibC.EAGAIN) {
                return -1;
            }
            if (errno != LibC.EINTR) {
                throw readError(errno);
            }
        }
    }

    /**
     * Waits up to timeoutMillis (negative: until one is; 0: does not wait) for a queue to have a
     * frame: a bit per queue that has one (or an error to report, which its read surfaces), bit
     * {@code q} for queue {@code q}; 0 on timeout. For the one thread that reads; allocates
     * nothing. Throws {@link java.nio.channels.ClosedChannelException} once closed.
     */
    public long awaitQueues(int timeoutMillis) throws IOException {
        enter();
        try {
            if (awaitReadable(pollfds, 0, pollfdsAddress, fds.length, deadline(timeoutMillis), timeoutMillis < 0) == 0) {
                return 0;
            }
            long ready = 0;
            for (int q = 0; q < fds.length; q++) {
                if (pollfds.getShort(q * POLLFD_SIZE + 6) != 0) {
                    ready |= 1L << q;
                }
            }
            return ready;
        } finally {
            exit();
        }
    }

    /**
     * Leaves queue {@code queue} out of what {@link #awaitQueues} watches, for a queue another
     * thread reads on its own (with {@link #read}, for queue 0). Call before the reader waits.
     */
    public void leaveOutOfAwait(int queue) {
        pollfds.putInt(queue * POLLFD_SIZE, -1); // poll(2) skips a negative fd
    }

    private IOException readError(int errno) {
        if (errno == LibC.EBADFD) {
            return new IOException(description() + " is gone (deleted, or its network namespace was removed)");
        }
        return error("read", errno);
    }

    /**
     * Writes one frame: bytes [offset, offset+length) of a DIRECT buffer. Thread-safe (several
     * threads deliver to one VNIC). A frame the device cannot take now (the device is down) is
     * refused: the call returns the reason ({@link DropReasons#VNIC_DOWN}, or
     * {@link DropReasons#DELIVERY_QUEUE_FULL}), and it is counted in {@link #droppedWrites()}.
     *
     * @return null when written, or why not
     */
    public String write(ByteBuffer direct, int offset, int length) throws IOException {
        return write(0, direct, offset, length);
    }

    /** {@link #write(ByteBuffer, int, int)} through queue {@code queue} (see {@link #write(int, GatherList)}). */
    public String write(int queue, ByteBuffer direct, int offset, int length) throws IOException {
        long address = checkedAddress(direct, offset, length) + offset;
        Scratch scratch = scratch();
        scratch.buffer.putLong(SCRATCH_IOV, address);
        scratch.buffer.putLong(SCRATCH_IOV + 8, length);
        return writev(queue, scratch.address + SCRATCH_IOV, 1, length);
    }

    /**
     * Writes one frame behind an all-zero vnet header (no offload: the receiving stack checks the
     * frame's checksums itself), with writev(2) so that nothing in front of the frame is touched.
     * For a device created with a vnet header. Thread-safe; refusals as {@link #write}.
     */
    public String writeWithoutOffload(ByteBuffer direct, int offset, int length) throws IOException {
        return writeWithoutOffload(0, direct, offset, length);
    }

    /** {@link #writeWithoutOffload(ByteBuffer, int, int)} through queue {@code queue}. */
    public String writeWithoutOffload(int queue, ByteBuffer direct, int offset, int length) throws IOException {
        long address = checkedAddress(direct, offset, length) + offset;
        Scratch scratch = scratch();
        ByteBuffer b = scratch.buffer;
        b.putLong(SCRATCH_IOV, scratch.address + SCRATCH_ZEROS);
        b.putLong(SCRATCH_IOV + 8, VNET_HEADER_LENGTH);
        b.putLong(SCRATCH_IOV + 16, address);
        b.putLong(SCRATCH_IOV + 24, length);
        return writev(queue, scratch.address + SCRATCH_IOV, 2, VNET_HEADER_LENGTH + length);
    }

    /**
     * Writes one frame made of the pieces of {@code frame}, a vnet header first when the device
     * has one (then it may describe a TCP segment larger than the MTU for the kernel to take as
     * one, GSO TCPV4/TCPV6 with the checksum to complete). Thread-safe; refusals as {@link #write}.
     */
    public String write(GatherList frame) throws IOException {
        return write(0, frame);
    }

    /**
     * {@link #write(GatherList)} through queue {@code queue}. The frame reaches the stack behind
     * the device the same through any queue; the queue matters for what the stack sends back: the
     * kernel sends a flow's frames through the queue its last written frame came by, so write one
     * flow always through the same queue.
     */
    public String write(int queue, GatherList frame) throws IOException {
        return writev(queue, frame.address(), frame.count(), frame.bytes());
    }

    private String writev(int queue, long iov, int count, long bytes) throws IOException {
        int queueFd = fds[queue];
        enter();
        try {
            for (;;) {
                long n = LibC.writev(queueFd, iov, count);
                if (n >= 0) {
                    return null;
                }
                int errno = Native.getLastError();
                if (errno == LibC.EIO || errno == LibC.EAGAIN || errno == LibC.ENOBUFS) {
                    countDroppedWrite();
                    return errno == LibC.EIO ? DropReasons.VNIC_DOWN : DropReasons.DELIVERY_QUEUE_FULL; // EIO: the TAP is down
                }
                if (errno != LibC.EINTR) {
                    throw errno == LibC.EBADFD ? readError(errno) : error("write " + bytes + " bytes", errno);
                }
            }
        } finally {
            exit();
        }
    }

    @Override
    void closeResources() {
        LibC.close(controlFd);
        for (int queueFd : fds) {
            LibC.close(queueFd);
        }
    }

    @Override
    public String toString() {
        return description();
    }
}
