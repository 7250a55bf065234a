package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.UnderlayTransport;

/** A mux's busy-poll setting reaches the sockets it reads already and those it starts reading later (a joined group's). */
public class BusyPollMuxTest {

    /** A socket that blocks until closed and remembers the busy-poll time it was given. */
    private static final class IdleSource extends BlockingSource {
        volatile long busyPoll = -1;

        @Override
        public void busyPoll(long nanos) {
            busyPoll = nanos;
        }
    }

    private static final class TestMux extends BaseMux {
        final IdleSource listen = new IdleSource();
        final IdleSource group = new IdleSource();

        TestMux() {
            super(new UnderlayKey("t", UnderlayTransport.udp(4789, "t/listen_ip", "t/listen_port"), UnderlayAddress.parse("127.0.0.1:4789")),
                    () -> null);
        }

        @Override
        PacketSource openGroup(InetAddress g, String interfaceName) {
            return group;
        }

        @Override
        void setGroupSending(String interfaceName, int ttl) {
        }

        @Override
        void closeSockets() {
            listen.close();
        }

        @Override
        public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
            return null;
        }
    }

    @Test
    public void everySocketOfTheMuxBusyPollsAsSet() throws Exception {
        TestMux mux = new TestMux();
        try {
            mux.startReading(mux.listen, "test");
            assertEquals("not busy-polling by default", 0, mux.listen.busyPoll);
            mux.busyPoll(50_000);
            assertEquals(50_000, mux.listen.busyPoll);
            AutoCloseable joined = mux.joinGroup(InetAddress.getByName("239.1.1.1"), null, 1);
            assertEquals("a socket read later gets it too", 50_000, mux.group.busyPoll);
            joined.close();
        } finally {
            mux.close();
        }
    }
}
