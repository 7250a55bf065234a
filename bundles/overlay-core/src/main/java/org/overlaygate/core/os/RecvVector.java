package org.overlaygate.core.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Datagrams for one recvmmsg(2) call: a direct data buffer cut into slots of equal size, and the
 * native array of {@code struct mmsghdr} (each with one iovec onto its slot, a {@code sockaddr_in}
 * for the sender and room for one control message) that points into it. After a receive,
 * {@link #count()} datagrams are described by {@link #offset}, {@link #length}, the sender, and
 * {@link #segmentSize}: a socket with UDP_GRO on may receive several datagrams of one flow as one,
 * all {@code segmentSize} bytes long but the last.
 *
 * <p>Each slot starts {@code lead} bytes in, so that a frame handed on from a slot always has free
 * bytes in front of it. Owned by one thread; nothing allocates after construction. Its memory is
 * {@link NativeMemory}, given back to the system by {@link #free()}, which its owner calls once
 * no thread can receive into it or read from it any more.
 */
public final class RecvVector {
    private static final int CONTROL_ROOM = 2 * LibC.CMSG_SPACE_INT;

    private final int slots;
    private final int slotSize;
    private final int lead;
    private final int room;
    private final ByteBuffer data;
    private final ByteBuffer meta;
    private final long metaAddress;
    private final int names;
    private final int controls;
    int count;

    /**
     * @param slots datagrams (or coalesced trains of them) one receive takes at most
     * @param room the largest datagram (or train) a slot holds; a larger one is {@link #truncated}
     * @param lead free bytes in front of each slot
     */
    public RecvVector(int slots, int room, int lead) {
        if (slots < 1 || slots > 1024 || room < 1 || lead < 0) {
            throw new IllegalArgumentException("bad receive vector: " + slots + " slots of " + room + " bytes");
        }
        this.slots = slots;
        this.room = room;
        this.lead = lead;
        this.slotSize = (lead + room + 63) & ~63;
        this.data = NativeMemory.allocate(slots * slotSize);
        int iovecs = slots * LibC.MMSGHDR_SIZE;
        this.names = iovecs + slots * LibC.IOVEC_SIZE;
        this.controls = names + slots * LibC.SOCKADDR_IN_SIZE;
        ByteBuffer m;
        try {
            m = NativeMemory.allocate(controls + slots * CONTROL_ROOM).order(ByteOrder.nativeOrder());
        } catch (OutOfMemoryError e) {
            NativeMemory.free(data);
            throw e;
        }
        this.meta = m;
        this.metaAddress = LibC.addressOf(meta);
        long dataAddress = LibC.addressOf(data);
        for (int i = 0; i < slots; i++) {
            int h = i * LibC.MMSGHDR_SIZE;
            int iov = iovecs + i * LibC.IOVEC_SIZE;
            meta.putLong(iov, dataAddress + offset(i));
            meta.putLong(iov + 8, room);
            meta.putLong(h + LibC.MSGHDR_NAME, metaAddress + names + i * LibC.SOCKADDR_IN_SIZE);
            meta.putLong(h + LibC.MSGHDR_IOV, metaAddress + iov);
            meta.putLong(h + LibC.MSGHDR_IOVLEN, 1);
            meta.putLong(h + LibC.MSGHDR_CONTROL, metaAddress + controls + i * CONTROL_ROOM);
        }
        reset();
    }

    private final java.util.concurrent.atomic.AtomicBoolean freed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Gives the vector's memory back to the system; later calls do nothing. The caller guarantees
     * that no thread receives into it or reads from it any more: touching it afterwards crashes.
     */
    public void free() {
        if (freed.compareAndSet(false, true)) {
            NativeMemory.free(data);
            NativeMemory.free(meta);
        }
    }

    /** Restores what the kernel overwrote in the headers (lengths, flags) before the next receive. */
    void reset() {
        for (int i = 0; i < slots; i++) {
            int h = i * LibC.MMSGHDR_SIZE;
            meta.putInt(h + LibC.MSGHDR_NAMELEN, LibC.SOCKADDR_IN_SIZE);
            meta.putLong(h + LibC.MSGHDR_CONTROLLEN, CONTROL_ROOM);
            meta.putInt(h + LibC.MSGHDR_FLAGS, 0);
            meta.putInt(h + LibC.MMSGHDR_LEN, 0);
        }
        count = 0;
    }

    /** Records a datagram received into slot 0 with recvmsg(2), which reports its length as its result. */
    void receivedOne(long length) {
        meta.putInt(LibC.MMSGHDR_LEN, (int) length);
        count = 1;
    }

    long headers() {
        return metaAddress;
    }

    int slots() {
        return slots;
    }

    /** The buffer the datagrams are in. */
    public ByteBuffer buffer() {
        return data;
    }

    /** Datagrams the last receive returned. */
    public int count() {
        return count;
    }

    /** The largest datagram a slot holds. */
    public int room() {
        return room;
    }

    /** Where datagram i starts in {@link #buffer()}. */
    public int offset(int i) {
        return i * slotSize + lead;
    }

    /** The length of datagram i (of the whole train, when coalesced). */
    public int length(int i) {
        return meta.getInt(i * LibC.MMSGHDR_SIZE + LibC.MMSGHDR_LEN);
    }

    /** Whether datagram i was larger than a slot (its tail is lost: drop it). */
    public boolean truncated(int i) {
        return (meta.getInt(i * LibC.MMSGHDR_SIZE + LibC.MSGHDR_FLAGS) & LibC.MSG_TRUNC) != 0;
    }

    /**
     * The size of the datagrams a coalesced train i consists of (UDP_GRO), or 0 when it is one
     * datagram: the value of its UDP_GRO control message.
     */
    public int segmentSize(int i) {
        int h = i * LibC.MMSGHDR_SIZE;
        long used = meta.getLong(h + LibC.MSGHDR_CONTROLLEN);
        int base = controls + i * CONTROL_ROOM;
        int at = 0;
        while (at + LibC.CMSG_DATA <= used) {
            long length = meta.getLong(base + at);
            if (length < LibC.CMSG_DATA || at + length > used) {
                return 0;
            }
            if (meta.getInt(base + at + LibC.CMSG_LEVEL) == LibC.SOL_UDP && meta.getInt(base + at + LibC.CMSG_TYPE) == LibC.UDP_GRO
                    && length >= LibC.CMSG_DATA + 4) {
                return meta.getInt(base + at + LibC.CMSG_DATA);
            }
            at += (int) ((length + 7) & ~7L);
        }
        return 0;
    }

    /** The sender of datagram i: IPv4 as an int in network order. */
    public int sourceAddress(int i) {
        int n = names + i * LibC.SOCKADDR_IN_SIZE;
        return ((meta.get(n + 4) & 0xFF) << 24) | ((meta.get(n + 5) & 0xFF) << 16) | ((meta.get(n + 6) & 0xFF) << 8) | (meta.get(n + 7) & 0xFF);
    }

    /** The sender's port of datagram i (0 for raw sockets). */
    public int sourcePort(int i) {
        int n = names + i * LibC.SOCKADDR_IN_SIZE;
        return ((meta.get(n + 2) & 0xFF) << 8) | (meta.get(n + 3) & 0xFF);
    }
}
