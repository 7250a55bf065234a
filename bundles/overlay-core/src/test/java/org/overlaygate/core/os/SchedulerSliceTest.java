package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;

/**
 * The slice a data path thread asks for is the one the scheduler gives it, as
 * /proc/thread-self/sched shows ({@code se.slice}, in nanoseconds), and its nice value stays.
 */
public class SchedulerSliceTest {
    private static final Pattern SLICE = Pattern.compile("(?m)^se\\.slice\\s*:\\s*(\\d+)$");

    @After
    public void backToTheDefault() {
        SchedulerSlice.setForDataPath(0);
    }

    @Test
    public void aDataPathThreadGetsTheDataPathsSlice() throws Exception {
        assumeTrue("custom slices need Linux 6.12 (EEVDF's sched_runtime); this is " + Kernel.release(), Kernel.atLeast(6, 12));
        SchedulerSlice.setForDataPath(250);
        long[] seen = new long[4];
        Thread t = new Thread(() -> {
            seen[0] = LibC.getpriority(0, 0);
            seen[1] = slice();
            SchedulerSlice.applyToDataPathThread();
            seen[2] = slice();
            seen[3] = LibC.getpriority(0, 0);
        });
        t.start();
        t.join();
        assertEquals(250_000, seen[2]);
        assertEquals("the nice value stays", seen[0], seen[3]);
        assertEquals("null: taken", null, SchedulerSlice.request(0));
    }

    @Test
    public void withoutASettingAThreadKeepsTheSchedulersSlice() throws Exception {
        long[] seen = new long[2];
        Thread t = new Thread(() -> {
            seen[0] = slice();
            SchedulerSlice.applyToDataPathThread();
            seen[1] = slice();
        });
        t.start();
        t.join();
        assertEquals(seen[0], seen[1]);
    }

    private static long slice() {
        try {
            Matcher m = SLICE.matcher(Files.readString(Path.of("/proc/thread-self/sched")));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            return -2;
        }
    }
}
