package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.core.base.Offload;
import org.overlaygate.core.os.DataPathScheduling;
import org.overlaygate.core.os.UdpSocket;
import org.overlaygate.encap.vxlan.VxlanPlugin;
import org.overlaygate.testsupport.LoopbackPorts;
import org.overlaygate.testsupport.Netns;
import org.overlaygate.testsupport.ThreadScheduling;

/**
 * Several sockets receiving on one listen port ({@code underlayQueues}): small datagrams all on the
 * first, flows of larger ones from different source ports spread over the others, each in order on
 * one; and the port is still refused when anyone holds it, rather than shared with another
 * appliance.
 */
public class ReceiveQueuesTest {
    private static final VxlanPlugin VXLAN = new VxlanPlugin();
    private static final SourcePorts PORTS = new SourcePorts(46000, 46999, 2);
    private static final int FLOWS = 64;
    private static final int PER_FLOW = 20;

    @Test
    public void largeDatagramsSpreadOverTheOtherSocketsAndEachFlowKeepsItsOrder() throws Exception {
        Map<Integer, List<Integer>> seqByFlow = new ConcurrentHashMap<>();
        Map<Integer, Set<String>> threadsByFlow = new ConcurrentHashMap<>();
        receiveFromManyPorts(UdpSocket.SMALL_DATAGRAM_BYTES + 1, seqByFlow, threadsByFlow, new ConcurrentHashMap<>());
        Set<String> threads = new HashSet<>();
        threadsByFlow.values().forEach(threads::addAll);
        assertTrue("64 flows of large datagrams over 3 sockets reach more than one receive thread: " + threads, threads.size() > 1);
        assertTrue("large datagrams stay off the first socket: " + threads, threads.stream().noneMatch(t -> t.endsWith(" #0")));
        for (Map.Entry<Integer, List<Integer>> flow : seqByFlow.entrySet()) {
            assertEquals("flow from port " + flow.getKey() + " on one socket", 1, threadsByFlow.get(flow.getKey()).size());
            List<Integer> seqs = flow.getValue();
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals("flow from port " + flow.getKey() + " in order", i, (int) seqs.get(i));
            }
        }
    }

    @Test
    public void smallDatagramsAllGoToTheFirstSocketWhateverTheirPorts() throws Exception {
        Map<Integer, Set<String>> threadsByFlow = new ConcurrentHashMap<>();
        receiveFromManyPorts(UdpSocket.SMALL_DATAGRAM_BYTES, new ConcurrentHashMap<>(), threadsByFlow, new ConcurrentHashMap<>());
        Set<String> threads = new HashSet<>();
        threadsByFlow.values().forEach(threads::addAll);
        assertEquals(1, threads.size());
        assertTrue("small datagrams on the first socket: " + threads, threads.iterator().next().endsWith(" #0"));
    }

    /** With {@code realtimePriority}, the small datagrams' receive thread is SCHED_FIFO, the others are not. */
    @Test
    public void onlyTheSmallDatagramsThreadTakesTheRealtimePriority() throws Exception {
        Netns.assumeAvailable("ReceiveQueuesTest.onlyTheSmallDatagramsThreadTakesTheRealtimePriority"); // root: SCHED_FIFO needs CAP_SYS_NICE
        Map<String, String> policies = new ConcurrentHashMap<>();
        DataPathScheduling.setForDataPath(0, null, 2);
        try {
            receiveFromManyPorts(UdpSocket.SMALL_DATAGRAM_BYTES, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), policies);
            receiveFromManyPorts(UdpSocket.SMALL_DATAGRAM_BYTES + 1, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), policies);
        } finally {
            DataPathScheduling.setForDataPath(0, null, 0);
        }
        assertTrue("threads of both kinds received: " + policies, policies.size() > 1);
        policies.forEach((thread, policy) -> assertEquals(thread, thread.endsWith(" #0") ? "SCHED_FIFO 2" : "SCHED_OTHER 0", policy));
    }

    /**
     * Sends {@value #PER_FLOW} numbered VXLAN datagrams of {@code payload} bytes (the steering's limit, or one more) from each of {@value #FLOWS}
     * source ports to a mux of 4 sockets, and records each flow's numbers and receive threads, and each thread's scheduling.
     */
    private static void receiveFromManyPorts(int payload, Map<Integer, List<Integer>> seqByFlow,
            Map<Integer, Set<String>> threadsByFlow, Map<String, String> schedulingByThread) throws Exception {
        UnderlayKey key = key(LoopbackPorts.freeUdpPort());
        UdpMux mux = open(key, 4);
        List<DatagramSocket> senders = new ArrayList<>();
        try {
            assertEquals("on: 4 sockets, small datagrams on the first", mux.offloads().get(UdpMux.QUEUES));
            AtomicInteger received = new AtomicInteger();
            mux.setDecapsulator(VXLAN.decapsulator());
            mux.attach(7, new UnderlayReceiver() {
                @Override
                public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort) {
                    threadsByFlow.computeIfAbsent(senderPort, p -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
                    schedulingByThread.computeIfAbsent(Thread.currentThread().getName(), t -> ThreadScheduling.ofCallingThread());
                    seqByFlow.computeIfAbsent(senderPort, p -> new ArrayList<>()).add(buf.getInt(offset + 14));
                    received.incrementAndGet();
                }

                @Override
                public void refusedFromUnderlay(String reason) {
                    fail("refused: " + reason);
                }
            });
            for (int f = 0; f < FLOWS; f++) {
                senders.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            }
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), key.listen().port());
            for (int seq = 0; seq < PER_FLOW; seq++) {
                for (DatagramSocket s : senders) {
                    byte[] packet = vxlan(7, seq, payload);
                    s.send(new DatagramPacket(packet, packet.length, to));
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.get() < FLOWS * PER_FLOW && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(FLOWS * PER_FLOW, received.get());
        } finally {
            senders.forEach(DatagramSocket::close);
            mux.close();
        }
    }

    @Test
    public void aPortHeldByAnotherApplianceOrAnyoneIsRefusedNotShared() throws Exception {
        int port = LoopbackPorts.freeUdpPort();
        UdpMux first = open(key(port), 4);
        try {
            try {
                open(key(port), 4).close();
                fail("a second mux shared the port of the first");
            } catch (DataPathException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("127.0.0.1:" + port));
            }
        } finally {
            first.close();
        }
        try (DatagramSocket plain = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            try {
                open(key(port), 4).close();
                fail("the mux shared the port of a plain socket");
            } catch (DataPathException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("Address already in use"));
            }
        }
        UdpMux again = open(key(port), 4);
        again.close();
    }

    private static UdpMux open(UnderlayKey key, int sockets) throws DataPathException {
        return UdpMux.open(key, PORTS, sockets, 1 << 20, EnumSet.allOf(Offload.class), EnumSet.noneOf(Offload.class), () -> null);
    }

    private static UnderlayKey key(int port) {
        return new UnderlayKey("vxlan", VXLAN.transport(), UnderlayAddress.parse("127.0.0.1:" + port));
    }

    /**
     * A VXLAN packet (RFC 7348: flags 0x08, VNI) of vnet {@code vni}, {@code bytes} long, whose
     * inner frame carries {@code seq} after its MACs.
     */
    private static byte[] vxlan(int vni, int seq, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        b.put(0, (byte) 0x08).putInt(4, vni << 8);
        b.putShort(8 + 12, (short) 0x0800).putInt(8 + 14, seq);
        return b.array();
    }
}
