package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.overlaygate.testsupport.Await;

/**
 * Issue 17: a receive thread whose socket fails for good spun at full speed (the VNIC reader had a
 * backoff, the underlay's had none). It must retry a single failure at once and pause, growing up
 * to a bound, while failures continue.
 */
public class ReceiveLoopTest {
    private static final int FAILURES = 12;

    /** A socket that fails FAILURES times, then blocks until closed. */
    private static final class FailingSource extends BlockingSource {
        final AtomicInteger receives = new AtomicInteger();

        @Override
        public int receive() throws IOException {
            if (receives.incrementAndGet() <= FAILURES) {
                throw new IOException("recvmmsg: Network is down");
            }
            return super.receive();
        }

        @Override
        public void releaseBuffers() {
        }
    }

    /** A mux on one fake socket whose pauses are recorded rather than slept. */
    private static final class RecordingMux extends OneSourceMux {
        final List<Long> pauses = new CopyOnWriteArrayList<>();
        final FailingSource source;

        RecordingMux() {
            this(new FailingSource());
        }

        private RecordingMux(FailingSource source) {
            super(source);
            this.source = source;
        }

        @Override
        void pause(long millis) {
            pauses.add(millis);
        }
    }

    @Test
    public void failuresAreCountedAndRetriedAfterGrowingPausesNotInASpin() throws Exception {
        RecordingMux mux = new RecordingMux();
        mux.startReading(mux.source, "test");
        try {
            Await.until("every failure seen", () -> mux.source.receives.get() > FAILURES);
            assertEquals(FAILURES, mux.stats().drops().get(BaseMux.RECEIVE_ERROR).longValue());
            assertEquals("the first failure is retried at once, each later one after a pause", FAILURES - 1, mux.pauses.size());
            assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L, 100L, 100L, 100L, 100L), mux.pauses);
        } finally {
            mux.close();
        }
    }

    @Test
    public void aSuccessStartsTheBackoffOver() {
        ReceiveBackoff b = new ReceiveBackoff();
        assertEquals(0, b.failed());
        assertEquals(1, b.failed());
        assertEquals(2, b.failed());
        b.succeeded();
        assertEquals("one failure after a success is retried at once", 0, b.failed());
        for (int i = 0; i < 100; i++) {
            assertTrue(b.failed() <= ReceiveBackoff.MAX_MILLIS);
        }
    }
}
