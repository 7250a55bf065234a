package org.overlaygate.core.vnic;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** The reader's turns over the queues of a multi-queue TAP, on fake queues of frame lengths. */
public class QueueRoundRobinTest {
    private static final int TSO = 65536;

    /** Queues of frames (each a length; its first byte, written on read, names its queue) with a count of polls. */
    private static final class FakeQueues implements QueueRoundRobin.Queues {
        final List<ArrayDeque<Integer>> queues = new ArrayList<>();
        int awaits;
        int lastTimeout = Integer.MIN_VALUE;

        FakeQueues(int count) {
            for (int i = 0; i < count; i++) {
                queues.add(new ArrayDeque<>());
            }
        }

        void add(int q, int frames, int length) {
            for (int i = 0; i < frames; i++) {
                queues.get(q).add(length);
            }
        }

        @Override
        public int count() {
            return queues.size();
        }

        @Override
        public int read(int q, ByteBuffer direct, int offset) {
            Integer length = queues.get(q).poll();
            if (length == null) {
                return 0;
            }
            direct.put(offset, (byte) q);
            return length;
        }

        @Override
        public long await(int timeoutMillis) {
            awaits++;
            lastTimeout = timeoutMillis;
            long ready = 0;
            for (int q = 0; q < queues.size(); q++) {
                if (!queues.get(q).isEmpty()) {
                    ready |= 1L << q;
                }
            }
            return ready;
        }
    }

    private final ByteBuffer buf = ByteBuffer.allocateDirect(64);

    /** Reads {@code frames} frames; the queue of each, checked against {@link QueueRoundRobin#queue()}. */
    private List<Integer> read(QueueRoundRobin turns, int frames) throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            assertTrue("frame " + i + " read", turns.read(buf, 0, 0) > 0);
            assertEquals("queue() names the queue of the frame read", buf.get(0), turns.queue());
            order.add(turns.queue());
        }
        return order;
    }

    @Test
    public void aFrameInAQueueOfItsOwnWaitsForOneQuantumOfTheBulkQueueNotForAllOfIt() throws Exception {
        FakeQueues fake = new FakeQueues(4);
        fake.add(1, 1000, TSO); // a TCP stream's 64 KiB segments, queued
        QueueRoundRobin turns = new QueueRoundRobin(fake);
        assertEquals(List.of(1, 1, 1), read(turns, 3));
        fake.add(3, 1, 98); // a ping, in another queue
        assertEquals("the ping is read as soon as the bulk queue's turn ends", List.of(3, 1), read(turns, 2));
        assertEquals(List.of(1, 1), read(turns, 2));
        assertEquals(994, fake.queues.get(1).size());
    }

    @Test
    public void busyQueuesTakeTurnsOfOneQuantumInBytes() throws Exception {
        FakeQueues fake = new FakeQueues(3);
        fake.add(0, 100, 1514);
        fake.add(2, 100, 1514);
        QueueRoundRobin turns = new QueueRoundRobin(fake);
        // a turn ends once its 64 KiB are used up: after 44 frames of 1514 bytes; or when its queue is empty
        List<Integer> expected = new ArrayList<>();
        for (int[] turn : new int[][] {{0, 44}, {2, 44}, {0, 44}, {2, 44}, {0, 12}, {2, 12}}) {
            expected.addAll(java.util.Collections.nCopies(turn[1], turn[0]));
        }
        assertEquals(expected, read(turns, 200));
        assertEquals(0, turns.read(buf, 0, 0));
    }

    @Test
    public void aQueueThatEmptiesEndsItsTurnAndTheLastOneEndsTheRoundWithoutAPoll() throws Exception {
        FakeQueues fake = new FakeQueues(2);
        fake.add(0, 2, 100);
        fake.add(1, 1, 100);
        QueueRoundRobin turns = new QueueRoundRobin(fake);
        assertEquals(List.of(0, 0, 1), read(turns, 3));
        int awaits = fake.awaits;
        assertEquals(0, turns.read(buf, 0, 0));
        assertEquals("the round's last queue ran empty: 0 without a poll", awaits, fake.awaits);
        assertEquals(0, turns.read(buf, 0, 0));
        assertEquals("asked again: one poll, that waits for nothing", awaits + 1, fake.awaits);
        assertEquals(0, fake.lastTimeout);
        assertEquals(0, turns.read(buf, 0, 200));
        assertEquals("the caller's timeout is the poll's", 200, fake.lastTimeout);
        fake.add(1, 1, 60);
        assertEquals(60, turns.read(buf, 0, 200));
        assertEquals(1, turns.queue());
    }

    @Test
    public void oneBusyQueueCostsOnePollPerQuantum() throws Exception {
        FakeQueues fake = new FakeQueues(8);
        fake.add(5, 64, TSO);
        QueueRoundRobin turns = new QueueRoundRobin(fake);
        read(turns, 64);
        assertEquals("one poll per 64 KiB segment", 64, fake.awaits);
    }

    @Test
    public void sixtyFourQueuesAreServedAndMoreAreRefused() throws Exception {
        FakeQueues fake = new FakeQueues(64);
        fake.add(63, 1, 10);
        fake.add(0, 1, 10);
        QueueRoundRobin turns = new QueueRoundRobin(fake);
        assertEquals(List.of(0, 63), read(turns, 2));
        try {
            new QueueRoundRobin(new FakeQueues(65));
            org.junit.Assert.fail("65 queues do not fit the poll's mask");
        } catch (IllegalArgumentException expected) {
            assertEquals("1 to 64 queues, not 65", expected.getMessage());
        }
    }

    @Test
    public void theOffloadReportSaysHowManyQueuesAndWhyNotMore() {
        assertEquals("on: 8 queues", TapFramePort.queuesState(8, 8, null));
        assertEquals("on: 3 queues (queue 4 of 8 refused: Argument list too long)",
                TapFramePort.queuesState(8, 3, "queue 4 of 8 refused: Argument list too long"));
        assertEquals("off: multi-queue refused: Invalid argument", TapFramePort.queuesState(8, 1, "multi-queue refused: Invalid argument"));
        assertEquals("off: one queue (setting tapQueues)", TapFramePort.queuesState(1, 1, null));
    }
}
