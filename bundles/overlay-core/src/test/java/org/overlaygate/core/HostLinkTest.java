package org.overlaygate.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.HostLink;
import org.overlaygate.api.datapath.HostLinkHandler;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.vnic.FramePort;
import org.overlaygate.core.vnic.FramePortFactory;
import org.overlaygate.testsupport.Await;

/** Host links: a TAP device made or an interface attached, frames to the handler and back, names, failures and closing. */
public class HostLinkTest {
    private static final long HOST_MAC = 0x02_00_00_00_00_99L;

    /** An interface whose frames the test feeds and whose writes it records. */
    static final class FakeInterface implements FramePort {
        final String name;
        final BlockingQueue<byte[]> toRead = new LinkedBlockingQueue<>();
        final List<byte[]> written = Collections.synchronizedList(new ArrayList<>());
        volatile String refuse;
        volatile boolean closed;
        volatile long oversized;

        FakeInterface(String name) {
            this.name = name;
        }

        @Override
        public String osName() {
            return name;
        }

        @Override
        public long macAddress() {
            return HOST_MAC;
        }

        @Override
        public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            try {
                byte[] f = toRead.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                if (f == null) {
                    return 0;
                }
                direct.put(offset, f);
                return f.length;
            } catch (InterruptedException e) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public String write(ByteBuffer direct, int offset, int length) {
            if (refuse != null) {
                return refuse;
            }
            byte[] f = new byte[length];
            direct.get(offset, f);
            written.add(f);
            return null;
        }

        @Override
        public long oversizedReads() {
            return oversized;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The host: which interfaces exist, and what the data path opened. */
    static final class FakeHost implements FramePortFactory {
        final Set<String> existing;
        final List<FakeInterface> opened = new ArrayList<>();
        final List<String> how = new ArrayList<>();

        FakeHost(Set<String> existing) {
            this.existing = existing;
        }

        @Override
        public FramePort openTap(String name, long mac, int mtu) throws IOException {
            throw new IOException("a host link must not get a VNIC's TAP with offloads");
        }

        @Override
        public FramePort openPlainTap(String name, long mac, int mtu) {
            how.add("tap " + name + " mtu " + mtu);
            FakeInterface f = new FakeInterface(name);
            opened.add(f);
            return f;
        }

        @Override
        public int interfaceMtu(String name) {
            return 9000;
        }

        @Override
        public FramePort openPcap(String name) {
            how.add("pcap " + name);
            FakeInterface f = new FakeInterface(name);
            opened.add(f);
            return f;
        }

        @Override
        public boolean interfaceExists(String name) {
            return existing.contains(name);
        }
    }

    /** What a handler was handed, copied. */
    static final class Received implements HostLinkHandler {
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        volatile boolean fail;

        @Override
        public void receive(ByteBuffer buf, int offset, int length) {
            if (fail) {
                throw new IllegalStateException("handler bug");
            }
            byte[] f = new byte[length];
            buf.get(offset, f);
            frames.add(f);
        }
    }

    private final FakeHost host = new FakeHost(Set.of("eth1"));
    private final DataPathService dp = new DataPathService(new TestSettings(), host);

    @After
    public void tearDown() {
        dp.deactivate();
    }

    private static byte[] frame(int length, int mark) {
        byte[] f = new byte[length];
        f[length - 1] = (byte) mark;
        return f;
    }

    @Test
    public void aNameTheHostLacksBecomesAPlainTapAndAnExistingInterfaceIsAttached() throws Exception {
        HostLink tap = dp.openHostLink("ogup0", 1500, new Received());
        HostLink eth = dp.openHostLink("eth1", 1500, new Received());
        assertEquals(List.of("tap ogup0 mtu 1500", "pcap eth1"), host.how);
        assertTrue(tap.createdTap());
        assertEquals(1500, tap.mtu());
        assertFalse(eth.createdTap());
        assertEquals("an attached interface keeps its own MTU", 9000, eth.mtu());
        assertEquals(HOST_MAC, eth.hostMac());
    }

    @Test
    public void framesReadGoToTheHandlerAndFramesSentAreWrittenWhole() throws Exception {
        Received handler = new Received();
        HostLink link = dp.openHostLink("ogup0", 1500, handler);
        FakeInterface itf = host.opened.get(0);
        itf.toRead.add(frame(60, 1));
        itf.toRead.add(frame(1514, 2));
        assertEquals(1, handler.frames.poll(10, TimeUnit.SECONDS)[59]);
        assertEquals(2, handler.frames.poll(10, TimeUnit.SECONDS)[1513]);

        ByteBuffer out = ByteBuffer.allocateDirect(2000);
        out.put(100 + 41, (byte) 7);
        link.send(out, 100, 42);
        assertEquals(1, itf.written.size());
        assertEquals(42, itf.written.get(0).length);
        assertEquals(7, itf.written.get(0)[41]);
        assertEquals(2, link.stats().packetsIn());
        assertEquals(1, link.stats().packetsOut());
    }

    @Test
    public void whatCannotBeWrittenIsCountedNotThrown() throws Exception {
        HostLink link = dp.openHostLink("ogup0", 1400, new Received());
        FakeInterface itf = host.opened.get(0);
        ByteBuffer out = ByteBuffer.allocateDirect(2000);
        link.send(out, 0, 1400 + 14 + 4 + 1);
        itf.refuse = DropReasons.DELIVERY_QUEUE_FULL;
        link.send(out, 0, 100);
        assertEquals(0, itf.written.size());
        assertEquals(1, link.stats().drops().get(DropReasons.TOO_BIG).longValue());
        assertEquals(1, link.stats().drops().get(DropReasons.DELIVERY_QUEUE_FULL).longValue());
        itf.oversized = 5; // merged frames (GRO, a veth peer's TSO) the interface's reader dropped
        assertEquals(6, link.stats().drops().get(DropReasons.TOO_BIG).longValue());
    }

    @Test
    public void aHandlerThatThrowsCostsItsFrameNotTheReader() throws Exception {
        Received handler = new Received();
        HostLink link = dp.openHostLink("ogup0", 1500, handler);
        FakeInterface itf = host.opened.get(0);
        handler.fail = true;
        itf.toRead.add(frame(60, 1));
        Await.until("the failure counted", () -> link.stats().drops().getOrDefault(DropReasons.PORT_HANDLER_FAILED, 0L) == 1);
        handler.fail = false;
        itf.toRead.add(frame(60, 2));
        assertEquals("the reader goes on", 2, handler.frames.poll(10, TimeUnit.SECONDS)[59]);
    }

    @Test
    public void namesInUseAndBadNamesAreRefused() throws Exception {
        dp.openHostLink("ogup0", 1500, new Received());
        DataPathException taken = assertThrows(DataPathException.class, () -> dp.openHostLink("ogup0", 1500, new Received()));
        assertEquals("ogup0 is in use by another host link", taken.getMessage());
        assertEquals("bad interface name 'no/such': 1-15 letters, digits, '_', '.', '-'",
                assertThrows(DataPathException.class, () -> dp.openHostLink("no/such", 1500, new Received())).getMessage());
        assertEquals("MTU 40 is outside 68-65535", assertThrows(DataPathException.class, () -> dp.openHostLink("ogup1", 40, new Received())).getMessage());
    }

    @Test
    public void aClosedTapIsKeptForItsServicesNextVersionThenRemoved() throws Exception {
        Received first = new Received();
        HostLink link = dp.openHostLink("ogup0", 1500, first);
        FakeInterface tap = host.opened.get(0);
        link.close();
        link.close(); // idempotent
        assertFalse("kept for the service's next version", tap.closed);
        tap.toRead.add(frame(60, 1));
        Await.until("a frame read meanwhile counted", () -> link.stats().drops().getOrDefault(DropReasons.LINK_UNCLAIMED, 0L) == 1);
        link.send(ByteBuffer.allocateDirect(100), 0, 60);
        assertEquals("a closed lease sends nothing", 0, tap.written.size());

        Received second = new Received();
        HostLink again = dp.openHostLink("ogup0", 1500, second);
        assertEquals("the same device, not a new one", 1, host.opened.size());
        tap.toRead.add(frame(60, 2));
        assertEquals(2, second.frames.poll(10, TimeUnit.SECONDS)[59]);
        assertTrue("the old handler is given nothing", first.frames.isEmpty());
        link.close(); // the old lease again: changes nothing
        assertFalse(tap.closed);
        tap.toRead.add(frame(60, 3));
        assertEquals(3, second.frames.poll(10, TimeUnit.SECONDS)[59]);

        dp.hostLinkLingerMillis = 50;
        again.close();
        Await.until("removed once nobody took it up", () -> tap.closed);
        dp.openHostLink("ogup0", 1500, new Received());
        assertEquals("then a new device", 2, host.opened.size());
    }

    @Test
    public void anAttachedInterfaceIsLetGoAtOnce() throws Exception {
        dp.openHostLink("eth1", 1500, new Received()).close();
        assertTrue(host.opened.get(0).closed);
        dp.openHostLink("eth1", 1500, new Received());
        assertEquals(2, host.opened.size());
    }

    @Test
    public void stoppingTheDataPathClosesItsLinks() throws Exception {
        dp.openHostLink("ogup0", 1500, new Received());
        dp.openHostLink("eth1", 1500, new Received());
        dp.deactivate();
        assertTrue(host.opened.get(0).closed && host.opened.get(1).closed);
    }
}
