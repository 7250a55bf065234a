package org.overlaygate.testsupport;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests for a condition that another thread makes true: polled, with a deadline, never
 * a fixed sleep. A timeout fails the test saying what it waited for. The deadlines are generous
 * (a loaded 2-core CI machine): a condition that holds is seen within milliseconds of holding.
 */
public final class Await {
    /** What a test waits for when it does not say: long enough for a loaded machine. */
    public static final long DEFAULT_MILLIS = 10_000;
    private static final long POLL_MILLIS = 5;

    private Await() {
    }

    /** Waits up to {@link #DEFAULT_MILLIS} for {@code condition}. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(what, DEFAULT_MILLIS, condition);
    }

    /** Waits up to {@code timeoutMillis} for {@code condition}, or throws an {@link AssertionError} naming {@code what}. */
    public static void until(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** A condition that may throw (it runs a command, say); an exception fails the test. */
    public interface Check {
        boolean holds() throws Exception;
    }

    /** {@code check} as a condition for {@link #until}: an exception it throws fails the test. */
    public static BooleanSupplier check(Check check) {
        return () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }
}
