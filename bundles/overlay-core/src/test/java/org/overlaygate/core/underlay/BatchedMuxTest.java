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
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.base.Offload;
import org.overlaygate.encap.vxlan.VxlanPlugin;
import org.overlaygate.testsupport.Netns;

/**
 * Two UDP muxes in a namespace of the test's own exchange batches of VXLAN packets, with every
 * offload, with mmsg alone and with none, and two raw IP muxes batches of GRE packets: each time
 * every packet arrives exactly once, each flow in order (GSO trains cut by the kernel, GRO trains
 * and recvmmsg batches taken apart by the receive loop), every packet is counted once at the flush,
 * and what cannot be sent is a counted drop, never out. The receiving thread's batch is flushed
 * after each receive.
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

        @Override
        public void refusedFromUnderlay(String reason) {
            throw new AssertionError("nothing sent here is refused: " + reason);
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

    /** A GRE header with a key (the vnet id), as NVGRE's, for raw IP muxes. */
    static final class Gre implements Encapsulator, Decapsulator {
        @Override
        public int headerLength() {
            return 8;
        }

        @Override
        public void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash) {
            buf.putInt(index, 0x2000_6558).putInt(index + 4, (int) (vnetId << 8));
        }

        @Override
        public boolean decapsulate(ByteBuffer buf, DecapResult result) {
            int at = buf.position();
            if (buf.limit() - at < 8 || buf.getInt(at) != 0x2000_6558) {
                return result.drop("not_gre");
            }
            buf.position(at + 8);
            return result.accept(buf.getInt(at + 4) >>> 8);
        }
    }

    @Test
    public void rawIpBatchesArriveWholeAndInOrderWithMmsgAndWithout() throws Exception {
        Netns.assumeAvailable("BatchedMuxTest");
        try (Netns ns = Netns.create("ogbatch")) {
            for (Set<Offload> offloads : List.of(EnumSet.of(Offload.MMSG), EnumSet.noneOf(Offload.class))) {
                Gre gre = new Gre();
                Flushes flushes = new Flushes();
                UnderlayTransport ip = UnderlayTransport.ipProtocol(47, "gre/listen_ip");
                IpMux rx = ns.call(() -> IpMux.open(new UnderlayKey("gre", ip, UnderlayAddress.parse("127.0.0.2")), 47, 1 << 20, offloads,
                        () -> flushes));
                IpMux tx = null;
                try {
                    tx = ns.call(() -> IpMux.open(new UnderlayKey("gre", ip, UnderlayAddress.parse("127.0.0.1")), 47, 1 << 20, offloads,
                            () -> null));
                    sendAndCheck(tx, rx, gre, gre, UnderlayAddress.parse("127.0.0.2"), flushes);
                } finally {
                    rx.close();
                    if (tx != null) {
                        tx.close();
                    }
                }
            }
        }
    }

    /** Over IPv6 the JDK's channel carries the batch, one datagram per call, and says why it has no offloads. */
    @Test
    public void anIpv6UnderlaySendsBatchesOneByOne() throws Exception {
        Netns.assumeAvailable("BatchedMuxTest");
        try (Netns ns = Netns.create("ogbatch")) {
            Flushes flushes = new Flushes();
            UdpMux rx = ns.call(() -> UdpMux.open(new UnderlayKey("vxlan", vxlan.transport(), UnderlayAddress.parse("[::1]:4789")),
                    new SourcePorts(50000, 50999, 4), 1 << 20, EnumSet.allOf(Offload.class), () -> flushes));
            UdpMux tx = null;
            try {
                tx = ns.call(() -> UdpMux.open(new UnderlayKey("vxlan", vxlan.transport(), UnderlayAddress.parse("[::1]:4790")),
                        new SourcePorts(51000, 51999, 4), 1 << 20, EnumSet.allOf(Offload.class), () -> null));
                assertEquals("off: " + JdkUdpEndpoint.NO_OFFLOADS, tx.offloads().get("udp_gso"));
                Encapsulator enc = vxlan.newEncapsulator(PropertyValues.validate(vxlan.properties(), Map.of("vxlan/listen_ip", "::1")));
                sendAndCheck(tx, rx, enc, vxlan.decapsulator(), UnderlayAddress.parse("[::1]:4789"), flushes, 0);
            } finally {
                rx.close();
                if (tx != null) {
                    tx.close();
                }
            }
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
            Encapsulator enc = vxlan.newEncapsulator(PropertyValues.validate(vxlan.properties(), Map.of("vxlan/listen_ip", "127.0.0.1")));
            sendAndCheck(tx, rx, enc, vxlan.decapsulator(), UnderlayAddress.parse("127.0.0.2:4789"), flushes);
        } finally {
            rx.close();
            if (tx != null) {
                tx.close();
            }
        }
    }

    /**
     * Sends two flows of 40 packets (1000-byte frames, a 300-byte last one), interleaved in runs of
     * 10, and one packet to an IPv6 address, as one batch from {@code tx} to {@code rx}.
     */
    private static void sendAndCheck(UnderlayMux tx, BaseMux rx, Encapsulator enc, Decapsulator dec, UnderlayAddress to, Flushes flushes)
            throws Exception {
        sendAndCheck(tx, rx, enc, dec, to, flushes, 1);
    }

    /** The same; {@code unreachable} packets to an address of the other IP version are refused (counted drops). */
    private static void sendAndCheck(UnderlayMux tx, BaseMux rx, Encapsulator enc, Decapsulator dec, UnderlayAddress to, Flushes flushes,
            int unreachable) throws Exception {
        {
            Receiver receiver = new Receiver();
            rx.setDecapsulator(dec);
            rx.attach(42, receiver);
            int header = enc.headerLength();

            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            SendBatch batch = new SendBatch();
            Counters sent = new Counters("device");
            Counters refused = new Counters("vnic");
            int at = 0;
            for (int run = 0; run < 8; run++) {
                int flow = run % 2;
                for (int k = 0; k < 10; k++) {
                    int seq = (run / 2) * 10 + k;
                    int inner = seq == 39 ? 300 : 1000;
                    enc.encapsulate(buf, at, 42, flow);
                    buf.put(at + header + 14, (byte) flow).putInt(at + header + 15, seq);
                    batch.add(tx, buf, at, header + inner, to, flow, sent, inner, refused);
                    at += header + inner + 64;
                }
            }
            if (unreachable > 0) {
                batch.add(tx, buf, 0, 108, UnderlayAddress.parse("[fd00::1]:4789"), 0, sent, 100, refused);
            }
            assertEquals(0, sent.packetsOut());
            batch.flush();
            assertEquals("every packet the kernel took counts as out", 80, sent.packetsOut());
            assertEquals("an IPv4 underlay cannot reach IPv6: a counted drop", unreachable, refused.drops(DropReasons.SEND_FAILED));

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
            assertEquals(80, tx.stats().packetsOut());
        }
    }

    private UdpMux open(Netns ns, Set<Offload> offloads) throws Exception {
        return ns.call(() -> UdpMux.open(new UnderlayKey("vxlan", vxlan.transport(), UnderlayAddress.parse("127.0.0.1:4789")),
                new SourcePorts(51000, 51999, 4), 1 << 20, offloads, () -> null));
    }
}
