package org.overlaygate.testsupport;

/**
 * How many bytes a call allocates on the calling thread, on average, once the JIT has compiled
 * it: for the tests that show a packet path allocates nothing.
 */
public final class Allocations {
    private Allocations() {
    }

    /** Runs {@code call} 200,000 times to warm up, then 100,000 times measured; returns the bytes allocated per call. */
    public static long perCall(Runnable call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) {
            call.run();
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            call.run();
        }
        return (threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / n;
    }
}
