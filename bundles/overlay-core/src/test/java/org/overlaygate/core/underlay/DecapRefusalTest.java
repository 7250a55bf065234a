package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.testsupport.Await;

/**
 * Issue 22, item 3: a packet the decapsulator refuses is counted on the overlay its header names
 * (what {@code overlay:stats NAME} shows) when the socket has an overlay of that vnet id, and on
 * the socket otherwise: a header that names none, or a vnet id no overlay here has.
 */
public class DecapRefusalTest {
    /** Byte 0: 0 accept, 1 refuse naming the vnet id in byte 1, 2 refuse naming none; byte 1: the vnet id. */
    private static final Decapsulator DECAP = (ByteBuffer buf, DecapResult result) -> {
        int at = buf.position();
        int vnet = buf.get(at + 1);
        switch (buf.get(at)) {
            case 0:
                buf.position(at + 2);
                return result.accept(vnet);
            case 1:
                return result.drop("bad_option", vnet);
            default:
                return result.drop("garbled");
        }
    };

    /** One receive of the given 2-byte packets, then nothing until closed. */
    private static final class OneBatch extends BlockingSource {
        final ByteBuffer buf = ByteBuffer.allocateDirect(1024);
        final byte[][] packets;
        final AtomicInteger receives = new AtomicInteger();

        OneBatch(byte[]... packets) {
            this.packets = packets;
            for (int i = 0; i < packets.length; i++) {
                buf.put(i * 16, packets[i]);
            }
        }

        @Override
        public int receive() throws IOException {
            return receives.getAndIncrement() == 0 ? packets.length : super.receive();
        }

        @Override
        public ByteBuffer buffer() {
            return buf;
        }

        @Override
        public int offset(int i) {
            return i * 16;
        }

        @Override
        public int length(int i) {
            return packets[i].length;
        }

        @Override
        public InetAddress sender(int i) {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public int senderPort(int i) {
            return 4789;
        }
    }

    /** An overlay's side: frames delivered and refusals, by reason. */
    private static final class Overlay implements UnderlayReceiver {
        final AtomicInteger frames = new AtomicInteger();
        final Map<String, Integer> refused = new ConcurrentHashMap<>();

        @Override
        public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort) {
            frames.incrementAndGet();
        }

        @Override
        public void refusedFromUnderlay(String reason) {
            refused.merge(reason, 1, Integer::sum);
        }
    }

    @Test
    public void refusalsNamingAnOverlayHereAreItsDropsTheRestTheSockets() throws Exception {
        OneSourceMux mux = new OneSourceMux(new OneBatch(new byte[] {1, 5}, new byte[] {1, 5}, new byte[] {0, 5}, new byte[] {1, 6}, new byte[] {1, 9},
                new byte[] {2, 5}, new byte[] {0, 9}));
        Overlay five = new Overlay();
        Overlay six = new Overlay();
        mux.attach(5, five);
        mux.attach(6, six);
        mux.setDecapsulator(DECAP);
        mux.startReading(mux.source, "test");
        try {
            Await.until("all seven packets handled", () -> five.frames.get() == 1 && five.refused.getOrDefault("bad_option", 0) == 2
                    && six.refused.getOrDefault("bad_option", 0) == 1 && mux.stats().totalDrops() == 3);
            assertEquals(Map.of("bad_option", 2), five.refused);
            assertEquals(1, five.frames.get());
            assertEquals(Map.of("bad_option", 1), six.refused);
            Map<String, Long> socket = mux.stats().drops();
            assertEquals("vnet id 9 is no overlay's here: the socket's", 1L, socket.get("bad_option").longValue());
            assertEquals("a header that names no vnet id: the socket's", 1L, socket.get("garbled").longValue());
            assertEquals("an accepted packet for vnet id 9", 1L, socket.get(DropReasons.UNKNOWN_VNET).longValue());
            assertNull(socket.get(BaseMux.RECEIVE_ERROR));
        } finally {
            mux.close();
        }
    }
}
