package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.base.Offload;
import org.overlaygate.encap.vxlan.VxlanPlugin;
import org.overlaygate.testsupport.Netns;

/**
 * Two UDP muxes in a namespace of the test's own exchange batches of VXLAN packets, with every
 * offload, with mmsg alone and with none: each time every packet arrives exactly once, each flow in
 * order (GSO trains cut by the kernel, GRO trains split by the receive loop), every packet is counted
 * once at the flush, and what cannot be sent is a counted drop, never out. The receiving thread's
 * batch is flushed after each receive.
 */
public class BatchedMuxTest {
    private final EncapsulationPlugin vxlan = new VxlanPlugin();

    /** Records what arrives, per flow (the first payload byte), and the batches flushed. */
    static final class Receiver implements UnderlayReceiver {
        final List<int[]> frames = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort) {
            frames.add(new int[] {buf.get(offset + 14), buf.getInt(offset + 15), length});
        }
    }

    static final class Flushes implements InboundBatch {
        volatile int count;

        @Override
        public void flush() {
            count++;
        }
    }

    @Test
    public void batchesArriveWholeAndInOrderWithEveryOffloadWithMmsgAloneAndWithNone() throws Exception {
        Netns.assumeAvailable("BatchedMuxTest");
        try (Netns ns = Netns.create("ogbatch")) {
            ns.exec("ip", "link", "set", "lo", "mtu", "1500").check();
            exchange(ns, EnumSet.allOf(Offload.class), "on");
            exchange(ns, EnumSet.of(Offload.MMSG), "off: " + org.overlaygate.core.base.OffloadState.OFF_BY_SETTING);
            exchange(ns, EnumSet.noneOf(Offload.class), "off: " + org.overlaygate.core.base.OffloadState.OFF_BY_SETTING);
        }
    }

    private void exchange(Netns ns, Set<Offload> offloads, String gsoState) throws Exception {
        Flushes flushes = new Flushes();
        UdpMux rx = ns.call(() -> UdpMux.open(new UnderlayKey("vxlan", vxlan.transport(), UnderlayAddress.parse("127.0.0.2:4789")),
                new SourcePorts(50000, 50999, 4), 1 << 20, offloads, () -> flushes));
        UdpMux tx = null;
        try {
            tx = open(ns, offloads);
            assertEquals(gsoState, tx.offloads().get("udp_gso"));
            Receiver receiver = new Receiver();
            rx.setDecapsulator(vxlan.decapsulator());
            rx.attach(42, receiver);
            Encapsulator enc = vxlan.newEncapsulator(PropertyValues.validate(vxlan.properties(), Map.of("vxlan/listen_ip", "127.0.0.1")));

            // Two flows: 40 packets of 1000 bytes and a shorter last one each, interleaved in runs of 10.
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            SendBatch batch = new SendBatch();
            Counters sent = new Counters("device");
            Counters refused = new Counters("vnic");
            UnderlayAddress to = UnderlayAddress.parse("127.0.0.2:4789");
            int at = 0;
            for (int run = 0; run < 8; run++) {
                int flow = run % 2;
                for (int k = 0; k < 10; k++) {
                    int seq = (run / 2) * 10 + k;
                    int inner = seq == 39 ? 300 : 1000;
                    enc.encapsulate(buf, at, 42, flow);
                    buf.put(at + 8 + 14, (byte) flow).putInt(at + 8 + 15, seq);
                    batch.add(tx, buf, at, 8 + inner, to, flow, sent, inner, refused);
                    at += 8 + inner + 64;
                }
            }
            batch.add(tx, buf, 0, 108, UnderlayAddress.parse("[fd00::1]:4789"), 0, sent, 100, refused);
            assertEquals(0, sent.packetsOut());
            batch.flush();
            assertEquals("every packet the kernel took counts as out", 80, sent.packetsOut());
            assertEquals("an IPv4 underlay cannot reach IPv6: a counted drop", 1, refused.drops(DropReasons.SEND_FAILED));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (receiver.frames.size() < 80 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(80, receiver.frames.size());
            int[] next = new int[2];
            for (int[] f : receiver.frames) {
                assertEquals("flow " + f[0] + " in order", next[f[0]]++, f[1]);
                assertEquals(f[1] == 39 ? 300 : 1000, f[2]);
            }
            assertTrue("the receive thread flushed its batch", flushes.count > 0);
            assertEquals(80, rx.stats().packetsIn());
        } finally {
            rx.close();
            if (tx != null) {
                tx.close();
            }
        }
    }

    private UdpMux open(Netns ns, Set<Offload> offloads) throws Exception {
        return ns.call(() -> UdpMux.open(new UnderlayKey("vxlan", vxlan.transport(), UnderlayAddress.parse("127.0.0.1:4789")),
                new SourcePorts(51000, 51999, 4), 1 << 20, offloads, () -> null));
    }
}
