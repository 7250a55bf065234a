package org.overlaygate.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/**
 * Issue 23: an OutOfMemoryError killed katar-io, the admin socket's thread, varpd's timers and
 * FileInstall, and the appliance lived on answering nothing. A thread lost to it now ends the
 * process with status 3, the reason written first; other deaths are logged and the process goes on.
 */
public class FatalErrorsTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Integer> halted = new ArrayList<>();
    private final FatalErrors handler = new FatalErrors(new PrintStream(err, true, StandardCharsets.UTF_8), halted::add);

    private void dieOn(Throwable t) throws InterruptedException {
        Thread thread = new Thread(() -> {
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw (RuntimeException) t;
        }, "katar-io");
        thread.setUncaughtExceptionHandler(handler);
        thread.start();
        thread.join();
    }

    @Test
    public void aThreadLostToOutOfMemoryEndsTheProcessWithItsReason() throws Exception {
        dieOn(new OutOfMemoryError("Direct buffer memory"));
        assertEquals(List.of(3), halted);
        assertEquals("overlaygate: java.lang.OutOfMemoryError: Direct buffer memory in thread katar-io: the appliance exits (status 3)"
                + " to be restarted\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void otherDeathsAreLoggedAndTheProcessGoesOn() throws Exception {
        dieOn(new IllegalStateException("a bug"));
        dieOn(new StackOverflowError());
        assertTrue("no halt: " + halted, halted.isEmpty());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void theLauncherInstallsItForEveryThread() {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        try {
            FatalErrors.install();
            assertTrue(Thread.getDefaultUncaughtExceptionHandler() instanceof FatalErrors);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }
}
