package org.overlaygate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How the scheduler treats the calling thread, as /proc shows it. */
public final class ThreadScheduling {
    private ThreadScheduling() {
    }

    /**
     * The calling thread's policy and real-time priority, from /proc/thread-self/stat (fields 41
     * and 40): "SCHED_FIFO 4", "SCHED_OTHER 0", or "policy N P" for another.
     */
    public static String ofCallingThread() {
        return of(Path.of("/proc/thread-self"));
    }

    /** The same of the thread whose /proc directory is {@code task} (/proc/PID/task/TID). */
    public static String of(Path task) {
        String stat;
        try {
            stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the fields from the third on
        int priority = Integer.parseInt(fields[40 - 3]);
        int policy = Integer.parseInt(fields[41 - 3]);
        return (policy == 1 ? "SCHED_FIFO " : policy == 0 ? "SCHED_OTHER " : "policy " + policy + " ") + priority;
    }
}
