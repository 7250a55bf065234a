package org.overlaygate.core.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A list of pieces of direct buffers written as one frame by writev(2): a native iovec array made
 * once and refilled for each frame. Owned by one thread; allocates nothing after construction.
 */
public final class GatherList {
    private final ByteBuffer iovecs;
    private final long address;
    private final int capacity;
    private final BufferAddresses addresses = new BufferAddresses();
    private final ByteBuffer[] buffers;
    private final int[] offsets;
    private final int[] lengths;
    private int count;
    private long bytes;

    public GatherList(int capacity) {
        if (capacity < 1 || capacity > LibC.IOV_MAX) {
            throw new IllegalArgumentException("a gather list holds 1 to " + LibC.IOV_MAX + " pieces, not " + capacity);
        }
        this.capacity = capacity;
        this.buffers = new ByteBuffer[capacity];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.iovecs = ByteBuffer.allocateDirect(capacity * LibC.IOVEC_SIZE).order(ByteOrder.nativeOrder());
        this.address = LibC.addressOf(iovecs);
    }

    public void clear() {
        for (int i = 0; i < count; i++) {
            buffers[i] = null;
        }
        count = 0;
        bytes = 0;
    }

    /** Appends [offset, offset+length) of a direct buffer; false when the list is full. */
    public boolean add(ByteBuffer direct, int offset, int length) {
        if (count == capacity) {
            return false;
        }
        if (offset < 0 || length < 0 || offset > direct.capacity() - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", capacity " + direct.capacity());
        }
        int at = count * LibC.IOVEC_SIZE;
        iovecs.putLong(at, addresses.of(direct) + offset);
        iovecs.putLong(at + 8, length);
        buffers[count] = direct;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        bytes += length;
        return true;
    }

    public int count() {
        return count;
    }

    /** The buffer of piece {@code i}. */
    public ByteBuffer buffer(int i) {
        return buffers[i];
    }

    /** Where piece {@code i} begins in its buffer. */
    public int offset(int i) {
        return offsets[i];
    }

    /** The bytes of piece {@code i}. */
    public int length(int i) {
        return lengths[i];
    }

    /** The bytes of every piece together. */
    public long bytes() {
        return bytes;
    }

    /** The pieces' bytes, one after the other, as writev takes them (for tests and diagnostics: it allocates). */
    public byte[] toArray() {
        byte[] out = new byte[(int) bytes];
        int at = 0;
        for (int i = 0; i < count; i++) {
            buffers[i].get(offsets[i], out, at, lengths[i]);
            at += lengths[i];
        }
        return out;
    }

    long address() {
        return address;
    }
}
