package org.overlaygate.core.vnic;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * Light flows share the first TAP queue and heavy ones spread over the others, judged by what is
 * written for each flow in a window, on an injected clock.
 */
public class LightFlowsTest {
    private static final int QUEUES = 8;
    private long now = TimeUnit.SECONDS.toNanos(100);
    private final LightFlows flows = new LightFlows(QUEUES, () -> now);

    @Test
    public void aPingStaysInTheFirstQueue() {
        for (int i = 0; i < 500; i++) {
            assertEquals(0, flows.queueFor(0x1234_5678, 98));
            now += TimeUnit.MILLISECONDS.toNanos(10);
        }
    }

    @Test
    public void aStreamsAcksTurnItHeavyAfterAWindowsWorthAndItLeavesTheFirstQueueForASecondAfterTheLast() {
        int hash = 0x0bad_cafe;
        int heavyQueue = 1 + Math.floorMod(hash, QUEUES - 1);
        for (int i = 0; i < LightFlows.HEAVY_WEIGHT / 2; i++) {
            assertEquals("light while it starts: " + i, 0, flows.queueFor(hash, 66));
        }
        long lastHeavy = 0;
        for (int window = 0; window < 100; window++) {
            for (int i = 0; i < 40; i++) {
                flows.queueFor(hash, 66);
            }
            lastHeavy = now;
            now += TimeUnit.MILLISECONDS.toNanos(LightFlows.WINDOW_MILLIS);
            assertEquals(heavyQueue, flows.queueFor(hash, 66));
        }
        now = lastHeavy + LightFlows.HEAVY_FOR_NANOS - 1;
        assertEquals("heavy for a second after its last heavy window", heavyQueue, flows.queueFor(hash, 66));
        now += 2;
        assertEquals("light again", 0, flows.queueFor(hash, 66));
    }

    @Test
    public void aCoalescedSegmentWeighsByItsBytes() {
        assertNotEquals(0, flows.queueFor(42, 65536));
        assertEquals("a frame of another flow is light", 0, flows.queueFor(43, 1500));
    }

    @Test
    public void heavyFlowsSpreadOverEveryQueueButTheFirst() {
        Set<Integer> used = new HashSet<>();
        for (int hash = 1; hash <= 64; hash++) {
            int q = flows.queueFor(hash * 0x9E37_79B9, 65536);
            assertTrue("queue " + q, q >= 1 && q < QUEUES);
            used.add(q);
        }
        assertEquals(QUEUES - 1, used.size());
    }

    @Test
    public void aFlowThatTakesAnotherOnesSlotStartsLight() {
        int heavy = 7;
        int sameSlot = heavy + LightFlows.SLOTS;
        assertNotEquals(0, flows.queueFor(heavy, 65536));
        assertEquals(0, flows.queueFor(sameSlot, 98));
    }

    @Test(expected = IllegalArgumentException.class)
    public void oneQueueHasNothingToChoose() {
        new LightFlows(1, System::nanoTime);
    }
}
