package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.overlaygate.testsupport.Netns;
import org.junit.Test;

import com.sun.jna.Platform;

/**
 * The slice and the nice value a data path thread asks for are the ones the scheduler gives it,
 * as /proc/thread-self/sched ({@code se.slice}, in nanoseconds) and getpriority(2) show; without a
 * nice value asked for, the thread keeps its own. A light path thread takes SCHED_FIFO at the
 * real-time priority set (sched_getscheduler(2), sched_getparam(2)), and only a light path thread.
 */
public class DataPathSchedulingTest {
    private static final int CAP_SYS_NICE = 23;
    private static final Pattern SLICE = Pattern.compile("(?m)^se\\.slice\\s*:\\s*(\\d+)$");

    @After
    public void backToTheDefault() {
        DataPathScheduling.setForDataPath(0, null, 0);
    }

    @Test
    public void aDataPathThreadGetsTheDataPathsSliceAndKeepsItsNiceValue() throws Exception {
        assumeTrue("custom slices need Linux 6.12 (EEVDF's sched_runtime); this is " + Kernel.release(), Kernel.atLeast(6, 12));
        DataPathScheduling.setForDataPath(250, null, 0);
        long[] seen = inDataPathThread(() -> LibC.getpriority(0, 0), DataPathSchedulingTest::slice);
        assertEquals(250_000, seen[3]);
        assertEquals("the nice value stays", seen[0], seen[2]);
        assertNull("null: taken", DataPathScheduling.request(0, null));
    }

    @Test
    public void aDataPathThreadTakesTheNiceValueAskedFor() throws Exception {
        // Raising a nice value needs no privilege, so this runs as any user.
        DataPathScheduling.setForDataPath(0, 7, 0);
        long[] seen = inDataPathThread(() -> LibC.getpriority(0, 0));
        assertEquals(7, seen[1]);
    }

    @Test
    public void aNiceValueRefusedLeavesTheThreadsOwnAndStillGivesTheSlice() throws Exception {
        assumeTrue("custom slices need Linux 6.12 (EEVDF's sched_runtime); this is " + Kernel.release(), Kernel.atLeast(6, 12));
        String[] refused = new String[1];
        long[] seen = new long[3];
        Thread t = new Thread(() -> {
            seen[0] = LibC.getpriority(0, 0);
            dropSysNiceCapability(); // as root too: capabilities are the thread's own
            refused[0] = DataPathScheduling.request(200, (int) seen[0] - 1);
            seen[1] = LibC.getpriority(0, 0);
            seen[2] = slice();
        });
        t.start();
        t.join();
        assertTrue(refused[0], refused[0] != null && refused[0].startsWith("threadNice " + (seen[0] - 1) + " refused: Operation not permitted"));
        assertEquals("the thread keeps its own", seen[0], seen[1]);
        assertEquals("and still gets its slice", 200_000, seen[2]);
    }

    @Test
    public void withoutASettingAThreadKeepsTheSchedulersSliceAndItsNiceValue() throws Exception {
        long[] seen = inDataPathThread(DataPathSchedulingTest::slice, () -> LibC.getpriority(0, 0));
        assertEquals(seen[0], seen[2]);
        assertEquals(seen[1], seen[3]);
    }

    @Test
    public void aLightPathThreadTakesTheRealtimePriorityAndOtherDataPathThreadsDoNot() throws Exception {
        Netns.assumeAvailable("DataPathSchedulingTest.aLightPathThreadTakesTheRealtimePriorityAndOtherDataPathThreadsDoNot"); // root: SCHED_FIFO needs CAP_SYS_NICE
        DataPathScheduling.setForDataPath(0, null, 3);
        long[] light = new long[2];
        long[] other = new long[2];
        Thread l = new Thread(() -> {
            DataPathScheduling.applyToDataPathThread(true);
            light[0] = policy();
            light[1] = priority();
        });
        Thread o = new Thread(() -> {
            DataPathScheduling.applyToDataPathThread();
            other[0] = policy();
            other[1] = priority();
        });
        l.start();
        o.start();
        l.join();
        o.join();
        assertEquals("SCHED_FIFO", 1, light[0]);
        assertEquals(3, light[1]);
        assertEquals("SCHED_OTHER", 0, other[0]);
        assertEquals(0, other[1]);
    }

    @Test
    public void aRealtimePriorityRefusedLeavesTheThreadInSchedOtherWithItsSlice() throws Exception {
        assumeTrue("custom slices need Linux 6.12 (EEVDF's sched_runtime); this is " + Kernel.release(), Kernel.atLeast(6, 12));
        DataPathScheduling.setForDataPath(200, null, 5);
        String[] refused = new String[1];
        long[] seen = new long[2];
        Thread t = new Thread(() -> {
            dropSysNiceCapability();
            DataPathScheduling.applyToDataPathThread();
            refused[0] = DataPathScheduling.requestRealtime(5);
            seen[0] = policy();
            seen[1] = slice();
        });
        t.start();
        t.join();
        assertTrue(refused[0], refused[0] != null && refused[0].startsWith("realtimePriority 5 refused: Operation not permitted"));
        assertEquals("SCHED_OTHER", 0, seen[0]);
        assertEquals("with its slice", 200_000, seen[1]);
    }

    @Test(expected = IllegalArgumentException.class)
    public void aRealtimePriorityLinuxHasNotIsRefused() {
        DataPathScheduling.setForDataPath(0, null, 100);
    }

    @Test(expected = IllegalArgumentException.class)
    public void aNiceValueLinuxHasNotIsRefused() {
        DataPathScheduling.setForDataPath(0, 20, 0);
    }

    /** The readings before and after a new thread applies the data path's settings to itself. */
    private static long[] inDataPathThread(LongSupplier... readings) throws InterruptedException {
        long[] seen = new long[readings.length * 2];
        Thread t = new Thread(() -> {
            for (int i = 0; i < readings.length; i++) {
                seen[i] = readings[i].getAsLong();
            }
            DataPathScheduling.applyToDataPathThread();
            for (int i = 0; i < readings.length; i++) {
                seen[readings.length + i] = readings[i].getAsLong();
            }
        });
        t.start();
        t.join();
        return seen;
    }

    /**
     * Takes CAP_SYS_NICE out of the calling thread's effective capabilities (capset(2) on the
     * thread itself), so that it may not lower its nice value whoever runs the test.
     */
    private static void dropSysNiceCapability() {
        boolean arm = Platform.isARM();
        long capget = arm ? 90 : 125;
        long capset = arm ? 91 : 126;
        ByteBuffer header = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        ByteBuffer data = ByteBuffer.allocateDirect(24).order(ByteOrder.nativeOrder());
        header.putInt(0, 0x20080522); // _LINUX_CAPABILITY_VERSION_3; pid 0: the calling thread
        assertEquals("capget", 0, LibC.syscall(capget, LibC.addressOf(header), LibC.addressOf(data), 0));
        data.putInt(0, data.getInt(0) & ~(1 << CAP_SYS_NICE)); // effective, first 32 capabilities
        assertEquals("capset", 0, LibC.syscall(capset, LibC.addressOf(header), LibC.addressOf(data), 0));
    }

    /** The calling thread's policy: sched_getscheduler(2) of pid 0. */
    private static long policy() {
        return LibC.syscall(Platform.isARM() ? 120 : 145, 0, 0, 0);
    }

    /** The calling thread's real-time priority: sched_getparam(2) of pid 0. */
    private static long priority() {
        ByteBuffer param = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        assertEquals("sched_getparam", 0, LibC.syscall(Platform.isARM() ? 121 : 143, 0, LibC.addressOf(param), 0));
        return param.getInt(0);
    }

    private static long slice() {
        try {
            Matcher m = SLICE.matcher(Files.readString(Path.of("/proc/thread-self/sched")));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -2;
        }
    }
}
