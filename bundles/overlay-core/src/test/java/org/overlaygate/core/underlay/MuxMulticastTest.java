package org.overlaygate.core.underlay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.testsupport.Netns;

/**
 * Underlay multicast through real sockets, in two namespaces of the test's own (root) joined by a
 * veth pair: the muxes on both ends join a group; what one sends to the group reaches the other and
 * does not loop back to itself; the group is left with its last user; a second device asking for
 * another TTL on the same mux is refused with the reason. (IPv6 groups go through the JDK, which
 * finds interfaces through /proc/net, the process's namespace rather than the thread's: they are
 * tested with whole appliances in namespaces, in itests' MulticastNamespaceIT.)
 */
public class MuxMulticastTest {
    private static final UnderlayTransport UDP = UnderlayTransport.udp(4789, "t/listen_ip", "t/listen_port");

    /** A one-byte header carrying the vnet id. */
    private static final Decapsulator ONE_BYTE = (ByteBuffer buf, DecapResult result) -> {
        if (buf.remaining() < 1) {
            return result.drop("short");
        }
        long vnet = buf.get(buf.position()) & 0xFF;
        buf.position(buf.position() + 1);
        return result.accept(vnet);
    };

    /** Receives decapsulated payloads. */
    private static final class Inbox implements UnderlayReceiver {
        final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(100);

        @Override
        public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort) {
            byte[] copy = new byte[length];
            buf.get(offset, copy);
            frames.offer(copy);
        }

        @Override
        public void refusedFromUnderlay(String reason) {
            throw new AssertionError("nothing sent here is refused: " + reason);
        }
    }

    private static String send(UdpMux mux, String group, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + 2048);
        buf.put(BufferLayout.HEADROOM, (byte) 7).put(BufferLayout.HEADROOM + 1, payload);
        return mux.send(buf, BufferLayout.HEADROOM, 1 + payload.length, UnderlayAddress.parse(group), 0);
    }

    @Test
    public void groupTrafficReachesTheOtherMemberOnlyWhileItIsJoined() throws Exception {
        Netns.assumeAvailable("MuxMulticastTest");
        try (Netns hostA = Netns.create("ogmca"); Netns hostB = Netns.create("ogmcb")) {
            Netns.run("ip", "link", "add", "va", "netns", hostA.name(), "type", "veth", "peer", "name", "vb", "netns", hostB.name()).check();
            hostA.exec("ip", "addr", "add", "10.9.0.1/24", "dev", "va").check();
            hostB.exec("ip", "addr", "add", "10.9.0.2/24", "dev", "vb").check();
            hostA.exec("ip", "link", "set", "va", "up").check();
            hostB.exec("ip", "link", "set", "vb", "up").check();
            SourcePorts ports = new SourcePorts(49152, 65535, 2);
            UdpMux muxA = hostA.call(() -> UdpMux.open(new UnderlayKey("t", UDP, UnderlayAddress.parse("10.9.0.1:4789")), ports, 1 << 20));
            UdpMux muxB = hostB.call(() -> UdpMux.open(new UnderlayKey("t", UDP, UnderlayAddress.parse("10.9.0.2:4789")), ports, 1 << 20));
            String family = "IPv4";
            String groupWithPort = "239.9.9.9:4789";
            try {
                Inbox inA = new Inbox();
                Inbox inB = new Inbox();
                muxA.setDecapsulator(ONE_BYTE);
                muxB.setDecapsulator(ONE_BYTE);
                muxA.attach(7, inA);
                muxB.attach(7, inB);
                InetAddress g = InetAddress.getByName("239.9.9.9");
                AutoCloseable joinedA = hostA.call(() -> muxA.joinGroup(g, "va", 1));
                AutoCloseable joinedB = hostB.call(() -> muxB.joinGroup(g, "vb", 1));

                byte[] hello = "to the group".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                assertNull(family + ": sent", send(muxA, groupWithPort, hello));
                assertArrayEquals(family + ": the other member got it", hello, inB.frames.poll(5, TimeUnit.SECONDS));
                assertNull(family + ": not looped back to the sender", inA.frames.poll(200, TimeUnit.MILLISECONDS));

                DataPathException conflict = assertThrows(DataPathException.class, () -> muxB.joinGroup(g, "vb", 5));
                assertTrue(conflict.getMessage(), conflict.getMessage().contains("already sends to groups through vb with TTL 1"));
                AutoCloseable second = hostB.call(() -> muxB.joinGroup(g, "vb", 1)); // another device, same group: shared
                second.close();
                assertNull(send(muxA, groupWithPort, hello));
                assertArrayEquals(family + ": still a member while one device is", hello, inB.frames.poll(5, TimeUnit.SECONDS));

                joinedB.close();
                assertNull(send(muxA, groupWithPort, hello));
                assertNull(family + ": left with its last user", inB.frames.poll(300, TimeUnit.MILLISECONDS));
                assertEquals(0, muxB.stats().totalDrops());
                joinedA.close();
            } finally {
                muxA.close();
                muxB.close();
            }
        }
    }
}
