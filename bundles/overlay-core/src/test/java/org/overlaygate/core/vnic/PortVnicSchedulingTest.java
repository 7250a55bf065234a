package org.overlaygate.core.vnic;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.os.DataPathScheduling;
import org.overlaygate.testsupport.Netns;
import org.overlaygate.testsupport.ThreadScheduling;

/**
 * A VNIC's reader is on the light path: with {@code realtimePriority} it is SCHED_FIFO at that
 * priority; a port of several queues gives its light flows' queue to a reader of its own, which
 * alone takes it.
 */
public class PortVnicSchedulingTest {
    @Test
    public void theReaderTakesTheRealtimePriority() throws Exception {
        Netns.assumeAvailable("PortVnicSchedulingTest.theReaderTakesTheRealtimePriority"); // root: SCHED_FIFO needs CAP_SYS_NICE
        CompletableFuture<String> seen = new CompletableFuture<>();
        TcpCoalescerTest.FakeTap port = recording(seen);
        DataPathScheduling.setForDataPath(0, null, 4);
        PortVnic vnic = new PortVnic("vnic", 0x0200_0000_0001L, null, VnicConfig.Kind.TAP, port);
        try {
            vnic.start();
            assertEquals("SCHED_FIFO 4", seen.get(10, TimeUnit.SECONDS));
        } finally {
            vnic.close();
            DataPathScheduling.setForDataPath(0, null, 0);
        }
    }

    @Test
    public void aPortOfSeveralQueuesGivesLightFlowsAReaderOfTheirOwnAndOnlyItIsRealtime() throws Exception {
        Netns.assumeAvailable("PortVnicSchedulingTest.aPortOfSeveralQueuesGivesLightFlowsAReaderOfTheirOwnAndOnlyItIsRealtime");
        CompletableFuture<String> bulk = new CompletableFuture<>();
        CompletableFuture<String> light = new CompletableFuture<>();
        TcpCoalescerTest.FakeTap lightQueue = recording(light);
        TcpCoalescerTest.FakeTap port = new TcpCoalescerTest.FakeTap() {
            @Override
            public int read(ByteBuffer direct, int offset, int timeoutMillis) {
                return recordAndFindNothing(bulk);
            }

            @Override
            public FramePort splitLightQueue() {
                return lightQueue;
            }
        };
        DataPathScheduling.setForDataPath(0, null, 4);
        PortVnic vnic = new PortVnic("vnic", 0x0200_0000_0001L, null, VnicConfig.Kind.TAP, port);
        try {
            vnic.start();
            assertEquals("the light queue's reader", "SCHED_FIFO 4", light.get(10, TimeUnit.SECONDS));
            assertEquals("the other queues' reader", "SCHED_OTHER 0", bulk.get(10, TimeUnit.SECONDS));
        } finally {
            vnic.close();
            DataPathScheduling.setForDataPath(0, null, 0);
        }
    }

    @Test
    public void withoutRealtimePriorityTheQueuesAreNotSplit() throws Exception {
        boolean[] split = new boolean[1];
        TcpCoalescerTest.FakeTap port = new TcpCoalescerTest.FakeTap() {
            @Override
            public FramePort splitLightQueue() {
                split[0] = true;
                return null;
            }
        };
        DataPathScheduling.setForDataPath(0, null, 0);
        new PortVnic("vnic", 0x0200_0000_0001L, null, VnicConfig.Kind.TAP, port).close();
        assertFalse("one reader for all queues", split[0]);
    }

    /** A port whose read records the reading thread's scheduling and finds nothing. */
    private static TcpCoalescerTest.FakeTap recording(CompletableFuture<String> seen) {
        return new TcpCoalescerTest.FakeTap() {
            @Override
            public int read(ByteBuffer direct, int offset, int timeoutMillis) {
                return recordAndFindNothing(seen);
            }
        };
    }

    /** Records the calling thread's scheduling, waits a millisecond as a read would, and returns 0: nothing came. */
    private static int recordAndFindNothing(CompletableFuture<String> seen) {
        seen.complete(ThreadScheduling.ofCallingThread());
        try {
            Thread.sleep(1); // a real-time thread must not spin here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
