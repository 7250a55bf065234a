package org.overlaygate.core.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Messages for one sendmmsg(2) call: the native array of {@code struct mmsghdr}, each with its
 * destination, one or more iovecs onto the caller's direct buffers, and, for a train of datagrams
 * sent as one (UDP GSO), a UDP_SEGMENT control message with their size. Filled with
 * {@link #begin}/{@link #add}, sent by {@link UdpSocket#send(SendVector, int)} or
 * {@link RawIpSocket#send(SendVector, int)}. Owned by one thread; nothing allocates after
 * construction.
 */
public final class SendVector {
    private final int maxMessages;
    private final int maxIovecs;
    private final ByteBuffer meta;
    private final long metaAddress;
    private final int iovecs;
    private final int names;
    private final int controls;
    private final BufferAddresses addresses = new BufferAddresses();
    private int messages;
    private int used;
    /** The errno of the last refusal by the kernel. */
    int errno;

    public SendVector(int maxMessages, int maxIovecs) {
        if (maxMessages < 1 || maxMessages > LibC.IOV_MAX || maxIovecs < maxMessages || maxIovecs > 64 * LibC.IOV_MAX) {
            throw new IllegalArgumentException("bad send vector: " + maxMessages + " messages, " + maxIovecs + " iovecs");
        }
        this.maxMessages = maxMessages;
        this.maxIovecs = maxIovecs;
        this.iovecs = maxMessages * LibC.MMSGHDR_SIZE;
        this.names = iovecs + maxIovecs * LibC.IOVEC_SIZE;
        this.controls = names + maxMessages * LibC.SOCKADDR_IN_SIZE;
        this.meta = ByteBuffer.allocateDirect(controls + maxMessages * LibC.CMSG_SPACE_INT).order(ByteOrder.nativeOrder());
        this.metaAddress = LibC.addressOf(meta);
    }

    public void clear() {
        messages = 0;
        used = 0;
    }

    /**
     * Starts a message to {@code ipv4:port} (port 0 for raw sockets).
     *
     * @param segmentSize &gt; 0: the message is a train of datagrams of this size (the last may be
     *     shorter), sent with UDP_SEGMENT; 0: one datagram
     * @return false when the vector is full (no message or no iovec left)
     */
    public boolean begin(int ipv4, int port, int segmentSize) {
        if (messages == maxMessages || used == maxIovecs) {
            return false;
        }
        int h = messages * LibC.MMSGHDR_SIZE;
        int name = names + messages * LibC.SOCKADDR_IN_SIZE;
        NativeChannel.putSockaddrIn(meta, name, ipv4, port);
        meta.putLong(h + LibC.MSGHDR_NAME, metaAddress + name);
        meta.putInt(h + LibC.MSGHDR_NAMELEN, LibC.SOCKADDR_IN_SIZE);
        meta.putLong(h + LibC.MSGHDR_IOV, metaAddress + iovecs + used * LibC.IOVEC_SIZE);
        meta.putLong(h + LibC.MSGHDR_IOVLEN, 0);
        meta.putLong(h + LibC.MSGHDR_CONTROL, 0L);
        meta.putLong(h + LibC.MSGHDR_CONTROLLEN, 0L);
        meta.putInt(h + LibC.MSGHDR_FLAGS, 0);
        meta.putInt(h + LibC.MMSGHDR_LEN, 0);
        messages++;
        if (segmentSize > 0) {
            segment(segmentSize);
        }
        return true;
    }

    /**
     * Makes the message begun last a train of datagrams of {@code segmentSize} bytes (the last may
     * be shorter), sent with a UDP_SEGMENT control message.
     */
    public void segment(int segmentSize) {
        int m = messages - 1;
        int h = m * LibC.MMSGHDR_SIZE;
        int c = controls + m * LibC.CMSG_SPACE_INT;
        meta.putLong(c, LibC.CMSG_LEN_U16);
        meta.putInt(c + LibC.CMSG_LEVEL, LibC.SOL_UDP);
        meta.putInt(c + LibC.CMSG_TYPE, LibC.UDP_SEGMENT);
        meta.putShort(c + LibC.CMSG_DATA, (short) segmentSize);
        meta.putLong(h + LibC.MSGHDR_CONTROL, metaAddress + c);
        meta.putLong(h + LibC.MSGHDR_CONTROLLEN, LibC.CMSG_SPACE_INT);
    }

    /**
     * Appends [offset, offset+length) of a direct buffer to the message begun last.
     *
     * @return false when no iovec is left
     */
    public boolean add(ByteBuffer direct, int offset, int length) {
        if (used == maxIovecs || messages == 0) {
            return false;
        }
        if (offset < 0 || length < 0 || offset > direct.capacity() - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", capacity " + direct.capacity());
        }
        int iov = iovecs + used * LibC.IOVEC_SIZE;
        meta.putLong(iov, addresses.of(direct) + offset);
        meta.putLong(iov + 8, length);
        used++;
        int h = (messages - 1) * LibC.MMSGHDR_SIZE + LibC.MSGHDR_IOVLEN;
        meta.putLong(h, meta.getLong(h) + 1);
        return true;
    }

    /** Whether another piece fits the message begun last. */
    public boolean hasRoom() {
        return used < maxIovecs;
    }

    public int messages() {
        return messages;
    }

    /** The errno of the kernel's last refusal of a message of this vector. */
    public int errno() {
        return errno;
    }

    /** Whether the last refusal was the kernel being unable to queue now (EAGAIN, ENOBUFS). */
    public boolean queueWasFull() {
        return errno == LibC.EAGAIN || errno == LibC.ENOBUFS;
    }

    /**
     * Whether the last refusal was of segmentation offload itself: EIO when the route's device
     * cannot checksum (which UDP_SEGMENT requires), EINVAL for what the kernel does not take (too
     * many segments, a socket that sends zero checksums).
     */
    public boolean segmentationRefused() {
        return errno == LibC.EIO || errno == LibC.EINVAL;
    }

    /** The operator's text for {@link #errno()}. */
    public String errorText() {
        return LibC.errorText(errno);
    }

    long header(int message) {
        return metaAddress + (long) message * LibC.MMSGHDR_SIZE;
    }
}
