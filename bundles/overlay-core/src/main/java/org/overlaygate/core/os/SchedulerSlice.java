package org.overlaygate.core.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The time slice data path threads ask Linux's scheduler for ({@code threadSliceMicros}).
 * EEVDF (Linux 6.12 and later) takes a SCHED_OTHER thread's {@code sched_runtime}
 * (sched_setattr(2)) as that thread's own slice, 0.1 to 100 ms, where the default is about 3 ms
 * (1.4 ms on two cores). A thread with a shorter slice that wakes preempts one running a longer
 * slice, and gives the CPU back sooner itself. On a busy host a data path thread woken for a lone
 * packet otherwise waits out the running thread's slice (a VM's process, or the data path thread
 * of a bulk flow); the kernel's own VXLAN runs in softirq and never waits so.
 *
 * <p>The setting is the data path's, one per process, set when the data path starts; each data
 * path thread (TAP and pcap readers, host link readers, underlay receive threads) applies it to
 * itself as it starts, since a slice is set by a thread for itself. Held statically for that
 * reason: those threads are started deep in code that has no other business with scheduling.
 */
public final class SchedulerSlice {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerSlice.class);
    private static final long SYS_SCHED_SETATTR_X86_64 = 314;
    private static final long SYS_SCHED_SETATTR_AARCH64 = 274;
    /** struct sched_attr as of Linux 4.13 (SCHED_ATTR_SIZE_VER1). */
    private static final int SCHED_ATTR_SIZE = 56;

    private static volatile long dataPathMicros;
    private static final AtomicBoolean REFUSAL_LOGGED = new AtomicBoolean();

    private SchedulerSlice() {
    }

    /** The slice data path threads started from now on ask for (0: the scheduler's default). */
    public static void setForDataPath(long micros) {
        dataPathMicros = Math.max(0, micros);
        if (micros > 0 && !Kernel.atLeast(6, 12)) {
            LOG.info("threadSliceMicros {}: Linux {} takes the call but keeps its default slice ({})", micros, Kernel.release(),
                    Kernel.needs(6, 12));
        }
    }

    /** Asks for the data path's slice for the calling thread; a refusal is logged once. */
    public static void applyToDataPathThread() {
        String refused = request(dataPathMicros);
        if (refused != null && REFUSAL_LOGGED.compareAndSet(false, true)) {
            LOG.warn("threadSliceMicros {} refused for {} (and maybe others, not logged again): {}", dataPathMicros,
                    Thread.currentThread().getName(), refused);
        }
    }

    /**
     * Asks for a slice of {@code micros} for the calling thread (0: leave it as it is).
     *
     * @return null when the kernel took the call, or why not
     */
    public static String request(long micros) {
        if (micros <= 0) {
            return null;
        }
        LibC.requireSupportedPlatform();
        long number = Platform.isARM() ? SYS_SCHED_SETATTR_AARCH64 : SYS_SCHED_SETATTR_X86_64;
        ByteBuffer attr = ByteBuffer.allocateDirect(SCHED_ATTR_SIZE).order(ByteOrder.nativeOrder());
        attr.putInt(0, SCHED_ATTR_SIZE); // size; then policy SCHED_OTHER (0), flags and priority 0
        attr.putInt(16, LibC.getpriority(0, 0)); // the thread's nice value stays what it is (sched_setattr sets it too)
        attr.putLong(24, TimeUnit.MICROSECONDS.toNanos(micros)); // sched_runtime: the slice
        if (LibC.syscall(number, 0, LibC.addressOf(attr), 0) != 0) { // pid 0: the calling thread
            return "sched_setattr: " + LibC.errorText(Native.getLastError());
        }
        return null;
    }
}
