package org.overlaygate.core.os;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.jna.Pointer;

/**
 * Native memory given back to the system the moment it is released: anonymous {@code mmap(2)}
 * pages, unmapped by {@link #free}. A direct {@link ByteBuffer} is freed only when the collector
 * finds it unreachable, and then into glibc's heap, which keeps what it was given: 5000 underlay
 * sockets opened and closed left some 200 KB each in the process's resident memory after a full
 * collection. The receive vectors of the underlay sockets, the large per-socket buffers, live here
 * instead.
 *
 * <h2>Ownership</h2>
 * A region is freed exactly once, by its owner, when nothing can touch it any more: touching it
 * after that is a crash, not an exception. {@link RecvVector} is freed by the receive thread that
 * used it, after its last receive (see {@code BaseMux}), or by whoever opened it when no thread
 * ever did. {@link #live()} counts the regions not yet freed (tests check it returns to where it was).
 */
public final class NativeMemory {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final long PAGE = 4096;
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private NativeMemory() {
    }

    /**
     * {@code bytes} of zeroed native memory, as a direct buffer in native byte order's default
     * (big-endian, as {@link ByteBuffer#allocateDirect} gives).
     *
     * @throws OutOfMemoryError when the system has none to give
     */
    public static ByteBuffer allocate(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("cannot map " + bytes + " bytes");
        }
        long length = (bytes + PAGE - 1) & ~(PAGE - 1);
        long address = LibC.mmap(0, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
        if (address == -1) {
            throw new OutOfMemoryError("cannot map " + length + " bytes: " + LibC.errorText(com.sun.jna.Native.getLastError()));
        }
        LIVE.incrementAndGet();
        LIVE_BYTES.addAndGet(length);
        return new Pointer(address).getByteBuffer(0, bytes).order(java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** Unmaps a buffer {@link #allocate} returned; the buffer must never be touched again. */
    public static void free(ByteBuffer region) {
        long length = (region.capacity() + PAGE - 1) & ~(PAGE - 1);
        if (LibC.munmap(LibC.addressOf(region), length) != 0) {
            throw new IllegalStateException("munmap failed: " + LibC.errorText(com.sun.jna.Native.getLastError()));
        }
        LIVE.decrementAndGet();
        LIVE_BYTES.addAndGet(-length);
    }

    /** Regions allocated and not yet freed. */
    public static long live() {
        return LIVE.get();
    }

    /** Their bytes, whole pages. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }
}
