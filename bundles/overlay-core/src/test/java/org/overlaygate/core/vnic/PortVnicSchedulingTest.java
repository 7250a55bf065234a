package org.overlaygate.core.vnic;

import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.os.DataPathScheduling;
import org.overlaygate.testsupport.Netns;
import org.overlaygate.testsupport.ThreadScheduling;

/** A VNIC's reader is on the light path: with {@code realtimePriority} it is SCHED_FIFO at that priority. */
public class PortVnicSchedulingTest {
    @Test
    public void theReaderTakesTheRealtimePriority() throws Exception {
        Netns.assumeAvailable("PortVnicSchedulingTest.theReaderTakesTheRealtimePriority"); // root: SCHED_FIFO needs CAP_SYS_NICE
        CompletableFuture<String> seen = new CompletableFuture<>();
        TcpCoalescerTest.FakeTap port = new TcpCoalescerTest.FakeTap() {
            @Override
            public int read(ByteBuffer direct, int offset, int timeoutMillis) {
                seen.complete(ThreadScheduling.ofCallingThread());
                try {
                    Thread.sleep(1); // as a wait would: a real-time thread must not spin here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            }
        };
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
}
