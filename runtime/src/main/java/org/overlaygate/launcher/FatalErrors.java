package org.overlaygate.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a thread dying of an uncaught throwable does to the appliance. An {@link OutOfMemoryError}
 * (or another {@link VirtualMachineError} but a stack overflow) ends the process with status
 * {@value #EXIT_STATUS}, its reason logged first: a process that has lost its I/O, timer or admin
 * threads must not pretend to be alive (issue 23: after an out-of-memory error the appliance
 * answered nothing, and only SIGKILL ended it). systemd restarts it ({@code Restart=on-failure}).
 * Anything else is logged with the thread's name, and the process goes on.
 *
 * <p>The JVM is also started with {@code -XX:+ExitOnOutOfMemoryError} (bin/overlaygate), which
 * ends it at the first heap exhaustion wherever it happens, even in a thread that would catch the
 * error; this handler covers the out-of-memory errors that Java code throws itself (direct buffers,
 * native memory through JNA), which that flag does not see.
 */
final class FatalErrors implements Thread.UncaughtExceptionHandler {
    /** The status {@code -XX:+ExitOnOutOfMemoryError} exits with too. */
    static final int EXIT_STATUS = 3;
    /** Written as it is when even building the message fails for want of memory. */
    private static final String PLAIN = "overlaygate: out of memory: the appliance exits (status 3) to be restarted\n";

    private final PrintStream err;
    private final IntConsumer halt;

    /** A handler that writes to the process's own standard error and halts the JVM. */
    FatalErrors() {
        this(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8), status -> Runtime.getRuntime().halt(status));
    }

    /** For tests: where the line goes, and what "halt" does. */
    FatalErrors(PrintStream err, IntConsumer halt) {
        this.err = err;
        this.halt = halt;
    }

    /** Makes this the handler of every thread that has none of its own. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler(new FatalErrors());
    }

    static boolean fatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    @Override
    public void uncaughtException(Thread thread, Throwable t) {
        if (!fatal(t)) {
            log().error("thread {} died: {}", thread.getName(), t.toString(), t);
            return;
        }
        try {
            String line = "overlaygate: " + t + " in thread " + thread.getName() + ": the appliance exits (status " + EXIT_STATUS
                    + ") to be restarted";
            err.println(line);
            try {
                log().error(line.substring("overlaygate: ".length()));
            } catch (Throwable logging) {
                // the line on standard error is what is left
            }
        } catch (Throwable noMemory) {
            err.print(PLAIN);
        } finally {
            err.flush();
            halt.accept(EXIT_STATUS);
        }
    }

    private static Logger log() {
        return LoggerFactory.getLogger(FatalErrors.class);
    }
}
