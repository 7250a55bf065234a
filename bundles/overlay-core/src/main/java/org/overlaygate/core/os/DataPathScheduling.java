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
 * What data path threads ask Linux's scheduler for: a time slice ({@code threadSliceMicros}) and
 * a nice value ({@code threadNice}); and, when {@code realtimePriority} is set, real-time priority
 * for the threads a light flow passes through.
 *
 * <p><b>The slice.</b> EEVDF (Linux 6.12 and later) takes a SCHED_OTHER thread's
 * {@code sched_runtime} (sched_setattr(2)) as that thread's own slice, 0.1 to 100 ms, where the
 * default is about 3 ms (1.4 ms on two cores). A thread with a shorter slice that wakes preempts
 * one running a longer slice, and gives the CPU back sooner itself. On a busy host a data path
 * thread woken for a lone packet otherwise waits out the running thread's slice (a VM's process,
 * or the data path thread of a bulk flow); the kernel's own VXLAN runs in softirq and never waits
 * so.
 *
 * <p><b>The nice value.</b> A lower one gives the data path a larger share of a busy CPU than
 * the VMs and processes it forwards for, as the kernel's softirq has: when CPUs are short, the
 * threads that move the packets run before those that make more of them. Lowering it needs
 * CAP_SYS_NICE or an RLIMIT_NICE that allows it (the system unit has systemd start the whole
 * process at the default instead, {@code Nice=-5}, which the threads then keep); a thread refused
 * keeps its nice value and still gets its slice (logged once).
 *
 * <p><b>Real-time priority</b> (off by default). With {@code realtimePriority} set, the threads
 * that a light flow's packets pass through ({@link #applyToDataPathThread(boolean)}: the receive thread of
 * small datagrams, and the reader of a multi-queue TAP's first queue, which then has one of its
 * own, or a VNIC's one reader) take SCHED_FIFO at that priority: woken for a
 * packet they preempt any process at once, as the kernel's softirq does, where a nice value only
 * weighs their share. Under a TCP stream a ping's round trip shrinks three- to fourfold
 * (docs/performance.md). The risk is the softirq's too: a flood keeps such a
 * thread busy, and only the kernel's real-time throttling (by default 5% of each CPU kept for
 * other threads) bounds what it takes from the host's processes. It needs CAP_SYS_NICE (or an
 * RLIMIT_RTPRIO that allows it); a thread refused keeps SCHED_OTHER with its slice and nice value
 * (logged once).
 *
 * <p>The settings are the data path's, one per process, set when the data path starts; each data
 * path thread (TAP and pcap readers, host link readers, underlay receive threads) applies them to
 * itself as it starts, since sched_setattr is called by a thread for itself. Held statically for
 * that reason: those threads are started deep in code that has no other business with scheduling.
 */
public final class DataPathScheduling {
    private static final Logger LOG = LoggerFactory.getLogger(DataPathScheduling.class);
    private static final long SYS_SCHED_SETATTR_X86_64 = 314;
    private static final long SYS_SCHED_SETATTR_AARCH64 = 274;
    /** struct sched_attr as of Linux 4.13 (SCHED_ATTR_SIZE_VER1). */
    private static final int SCHED_ATTR_SIZE = 56;
    private static final int EPERM = 1;
    private static final int SCHED_FIFO = 1;
    /** The nice values Linux has. */
    public static final int NICE_MIN = -20;
    public static final int NICE_MAX = 19;
    /** The SCHED_FIFO priorities Linux has. */
    public static final int REALTIME_MAX = 99;

    private static volatile long dataPathMicros;
    /** The data path threads' nice value, or null to keep the one they inherit. */
    private static volatile Integer dataPathNice;
    /** The light path threads' SCHED_FIFO priority, 0 for none. */
    private static volatile int lightPathPriority;
    private static final AtomicBoolean REFUSAL_LOGGED = new AtomicBoolean();
    private static final AtomicBoolean REALTIME_REFUSAL_LOGGED = new AtomicBoolean();

    private DataPathScheduling() {
    }

    /**
     * What data path threads started from now on ask for: a slice of {@code micros} (0: the
     * scheduler's default) and a nice value of {@code nice} (null: the one they inherit); light
     * path threads SCHED_FIFO at {@code realtimePriority} too (0: not).
     */
    public static void setForDataPath(long micros, Integer nice, int realtimePriority) {
        if (nice != null && (nice < NICE_MIN || nice > NICE_MAX)) {
            throw new IllegalArgumentException("nice " + nice + " is not within " + NICE_MIN + " to " + NICE_MAX);
        }
        if (realtimePriority < 0 || realtimePriority > REALTIME_MAX) {
            throw new IllegalArgumentException("real-time priority " + realtimePriority + " is not within 0 to " + REALTIME_MAX);
        }
        dataPathMicros = Math.max(0, micros);
        dataPathNice = nice;
        lightPathPriority = realtimePriority;
        if (micros > 0 && !Kernel.atLeast(6, 12)) {
            LOG.info("threadSliceMicros {}: Linux {} takes the call but keeps its default slice ({})", micros, Kernel.release(),
                    Kernel.needs(6, 12));
        }
    }

    /** Whether light path threads take a real-time priority: a VNIC then gives its light flows' queue a reader of its own. */
    public static boolean lightPathIsRealtime() {
        return lightPathPriority > 0;
    }

    /** Asks for the data path's slice and nice value for the calling thread; a refusal is logged once. */
    public static void applyToDataPathThread() {
        String refused = request(dataPathMicros, dataPathNice);
        if (refused != null && REFUSAL_LOGGED.compareAndSet(false, true)) {
            LOG.warn("{} (for {}, and maybe others, not logged again)", refused, Thread.currentThread().getName());
        }
    }

    /**
     * As {@link #applyToDataPathThread()}; a thread on the light path ({@code lightPath}: one a
     * light flow passes through, the small datagrams' receive thread or the reader of light flows'
     * TAP queue, or a VNIC's one reader) then takes SCHED_FIFO at the real-time priority when one is
     * set. A refusal is logged once; the thread then stays as the other data path threads are.
     */
    public static void applyToDataPathThread(boolean lightPath) {
        applyToDataPathThread();
        int priority = lightPathPriority;
        if (!lightPath || priority == 0) {
            return;
        }
        String refused = requestRealtime(priority);
        if (refused != null && REALTIME_REFUSAL_LOGGED.compareAndSet(false, true)) {
            LOG.warn("{} (for {}, and maybe others, not logged again)", refused, Thread.currentThread().getName());
        }
    }

    /**
     * Asks for SCHED_FIFO at {@code priority} (1 to {@value #REALTIME_MAX}) for the calling thread.
     *
     * @return null when the kernel took it, or why not
     */
    public static String requestRealtime(int priority) {
        if (priority < 1 || priority > REALTIME_MAX) {
            throw new IllegalArgumentException("real-time priority " + priority + " is not within 1 to " + REALTIME_MAX);
        }
        LibC.requireSupportedPlatform();
        int errno = setattr(SCHED_FIFO, priority, 0, 0);
        return errno == 0 ? null : "realtimePriority " + priority + " refused: " + LibC.errorText(errno)
                + (errno == EPERM ? " (SCHED_FIFO needs CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it)" : "")
                + "; the thread keeps SCHED_OTHER";
    }

    /**
     * Asks for a slice of {@code micros} (0: the scheduler's default) and a nice value of
     * {@code nice} (null: as it is) for the calling thread. A nice value the thread may not take
     * is left as it is, and the slice asked for again.
     *
     * @return null when the kernel took all, or what it refused and why
     */
    public static String request(long micros, Integer nice) {
        if (micros <= 0 && nice == null) {
            return null;
        }
        LibC.requireSupportedPlatform();
        int current = LibC.getpriority(0, 0);
        int errno = setattr(0, 0, micros, nice == null ? current : nice);
        if (errno == 0) {
            return null;
        }
        String why = LibC.errorText(errno);
        if (errno == EPERM && nice != null && nice < current) {
            String refused = "threadNice " + nice + " refused: " + why + " (lowering a nice value needs CAP_SYS_NICE or an RLIMIT_NICE"
                    + " that allows it); the thread keeps " + current;
            if (micros <= 0) {
                return refused;
            }
            errno = setattr(0, 0, micros, current);
            return errno == 0 ? refused : refused + "; threadSliceMicros " + micros + " refused too: " + LibC.errorText(errno);
        }
        return "sched_setattr (threadSliceMicros " + micros + ", threadNice " + (nice == null ? "unset" : nice) + ") refused: " + why;
    }

    /**
     * sched_setattr(2) for the calling thread: {@code policy} (SCHED_OTHER 0 with a slice of
     * {@code micros} and {@code nice}; SCHED_FIFO 1 with {@code priority}): 0, or errno.
     */
    private static int setattr(int policy, int priority, long micros, int nice) {
        long number = Platform.isARM() ? SYS_SCHED_SETATTR_AARCH64 : SYS_SCHED_SETATTR_X86_64;
        ByteBuffer attr = ByteBuffer.allocateDirect(SCHED_ATTR_SIZE).order(ByteOrder.nativeOrder());
        attr.putInt(0, SCHED_ATTR_SIZE); // size; then the policy, flags 0
        attr.putInt(4, policy);
        attr.putInt(16, nice); // sched_setattr sets the nice value too: the one asked for, or the thread's own
        attr.putInt(20, priority); // sched_priority: SCHED_FIFO's, 0 for SCHED_OTHER
        attr.putLong(24, TimeUnit.MICROSECONDS.toNanos(Math.max(0, micros))); // sched_runtime: the slice (0: the default)
        return LibC.syscall(number, 0, LibC.addressOf(attr), 0) != 0 ? Native.getLastError() : 0; // pid 0: the calling thread
    }
}
