package org.overlaygate.invalidation.shootdown;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.After;
import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.invalidation.InvalidationContext;
import org.overlaygate.api.invalidation.InvalidationInstance;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;

/** SHOOTDOWN between overlays on loopback addresses: sent, applied, refused, rate-limited, shared sockets. */
public class ShootdownPluginTest {
    static final long MAC = 0x020820000002L;
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-timer");
        t.setDaemon(true);
        return t;
    });

    private final ShootdownPlugin plugin = new ShootdownPlugin();
    private final List<InvalidationInstance> started = new ArrayList<>();

    /** Records what an instance does to its overlay. */
    static final class Context implements InvalidationContext {
        final long vnetId;
        final UnderlayAddress self;
        final List<Long> invalidated = new CopyOnWriteArrayList<>();
        final Map<String, Long> counts = new ConcurrentHashMap<>();
        final List<String> health = new CopyOnWriteArrayList<>();
        /** The overlay's cache as the core would judge it: MAC to the host it points at, and what kind of entry. */
        final Map<Long, InetAddress> cachedAt = new ConcurrentHashMap<>();
        final Map<Long, Outcome> kept = new ConcurrentHashMap<>();
        /** Trust every sender, as the tests written before senders were checked assume. */
        volatile boolean anySender = true;

        Context(long vnetId, String self) {
            this.vnetId = vnetId;
            this.self = UnderlayAddress.parse(self);
        }

        @Override
        public String overlayName() {
            return "ovl" + vnetId;
        }

        @Override
        public long vnetId() {
            return vnetId;
        }

        @Override
        public UnderlayAddress underlayAddress() {
            return self;
        }

        @Override
        public void invalidated(long mac) {
            invalidated.add(mac);
        }

        /** The rules of OverlayDevice.invalidateFrom (tested in overlay-core), over this fake cache. */
        @Override
        public Outcome invalidated(long mac, InetAddress sender) {
            if (!anySender) {
                InetAddress at = cachedAt.get(mac);
                if (at == null) {
                    return Outcome.NOT_CACHED;
                }
                if (!at.equals(sender)) {
                    return Outcome.UNKNOWN_SENDER;
                }
                Outcome k = kept.get(mac);
                if (k != null) {
                    return k;
                }
                cachedAt.remove(mac);
            }
            invalidated.add(mac);
            return Outcome.APPLIED;
        }

        @Override
        public void degrade(String reason) {
            health.add("degrade " + reason);
        }

        @Override
        public void restore() {
            health.add("restore");
        }

        @Override
        public void count(String event) {
            counts.merge(event, 1L, Long::sum);
        }

        long count(String event, long ignored) {
            return counts.getOrDefault(event, 0L);
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return SCHEDULER;
        }
    }

    @After
    public void stopAll() {
        started.forEach(InvalidationInstance::stop);
        plugin.deactivate();
    }

    InvalidationInstance start(Context ctx, int port, int maxRate) throws Exception {
        InvalidationInstance i = plugin.create(ctx, PropertyValues.validate(plugin.properties(),
                Map.of("shootdown/port", Integer.toString(port), "shootdown/max_rate", Integer.toString(maxRate))));
        i.start();
        started.add(i);
        return i;
    }

    static int freePort() throws Exception {
        try (DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int p = ((InetSocketAddress) a.getLocalAddress()).getPort();
            try (DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", p))) {
                return p; // free on both addresses
            }
        }
    }

    static void sendRaw(byte[] bytes, String to, int port) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.send(ByteBuffer.wrap(bytes), new InetSocketAddress(to, port));
        }
    }

    static byte[] shootdown(long mac, long vnet) {
        return Frame.encode(Svp.OP_SHOOTDOWN, 1, new Messages.Shootdown(mac, vnet).encode());
    }

    @Test
    public void aNotHereReportBecomesAShootdownThatTheSenderApplies() throws Exception {
        int port = freePort();
        Context a = new Context(42, "127.0.0.1:4789");
        Context b = new Context(42, "127.0.0.2:4789");
        start(a, port, 100);
        InvalidationInstance ib = start(b, port, 100);
        ib.sendInvalidation(42, MAC, InetAddress.getByName("127.0.0.1")); // b got a frame from a for a MAC it does not have
        // the plugin counts what the core did after the core did it: wait for both
        Await.until("a forgets the MAC and counts it", () -> a.invalidated.equals(List.of(MAC)) && a.count(Shootdown.APPLIED, 0) == 1);
        assertEquals(1L, b.count(Shootdown.SENT, 0));
        ib.sendInvalidation(42, MAC, InetAddress.getByName("127.0.0.1"));
        assertEquals("at most one per 250 ms per (sender, MAC)", 1L, b.count(Shootdown.SUPPRESSED, 0));
        assertEquals("listening, never degraded", List.of("restore"), a.health);
    }

    @Test
    public void whatIsNotAValidShootdownForAKnownVnetIsCountedAndIgnored() throws Exception {
        int port = freePort();
        Context a = new Context(42, "127.0.0.1:4789");
        start(a, port, 100);
        byte[] good = shootdown(MAC, 42);
        byte[] badCrc = good.clone();
        badCrc[27] ^= 1;
        byte[] wrongOp = Frame.encode(Svp.OP_VL2_REQ, 1, new Messages.Shootdown(MAC, 42).encode());
        byte[] v2 = Frame.encode(2, Svp.OP_SHOOTDOWN, 1, new Messages.Shootdown(MAC, 42).encode());
        byte[] longer = new byte[29];
        System.arraycopy(good, 0, longer, 0, 28);
        sendRaw(badCrc, "127.0.0.1", port);
        sendRaw(wrongOp, "127.0.0.1", port);
        sendRaw(v2, "127.0.0.1", port);
        sendRaw(java.util.Arrays.copyOf(good, 27), "127.0.0.1", port);
        sendRaw(longer, "127.0.0.1", port);
        sendRaw(new byte[2000], "127.0.0.1", port);
        sendRaw(shootdown(MAC, 43), "127.0.0.1", port); // a vnet this host does not have
        sendRaw(good, "127.0.0.1", port);
        Await.until("the one good datagram applied", () -> a.invalidated.size() == 1);
        Await.until("the others counted", () -> a.count(ShootdownSocket.MALFORMED, 0) == 5 && a.count(ShootdownSocket.BAD_CRC, 0) == 1
                && a.count(ShootdownSocket.UNKNOWN_VNET, 0) == 1);
    }

    @Test
    public void aFloodOfShootdownsIsAppliedNoFasterThanTheConfiguredRate() throws Exception {
        int port = freePort();
        Context a = new Context(42, "127.0.0.1:4789");
        start(a, port, 10);
        long t0 = System.nanoTime();
        for (int i = 0; i < 500; i++) {
            sendRaw(shootdown(MAC + i, 42), "127.0.0.1", port);
        }
        Await.until("all 500 handled", () -> a.invalidated.size() + a.count(Shootdown.RATE_LIMITED, 0) == 500);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue("a burst of 10 plus 10 a second over " + seconds + " s, not " + a.invalidated.size(),
                a.invalidated.size() <= 10 + Math.ceil(10 * seconds) + 1);
        assertTrue(a.count(Shootdown.RATE_LIMITED, 0) >= 400);
    }

    static void sendRawFrom(byte[] bytes, String from, String to, int port) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(from, 0))) {
            ch.send(ByteBuffer.wrap(bytes), new InetSocketAddress(to, port));
        }
    }

    @Test
    public void aForgedShootdownFromAHostTheOverlayDoesNotKnowForTheMacIsIgnoredAndCounted() throws Exception {
        int port = freePort();
        Context a = new Context(42, "127.0.0.1:4789");
        a.anySender = false;
        a.cachedAt.put(MAC, InetAddress.getByName("127.0.0.2")); // the MAC's frames go to 127.0.0.2
        start(a, port, 100);
        for (int i = 0; i < 50; i++) {
            sendRawFrom(shootdown(MAC, 42), "127.0.0.3", "127.0.0.1", port); // anyone else on the underlay
        }
        Await.until("50 forgeries counted", () -> a.count(Shootdown.UNKNOWN_SENDER, 0) == 50);
        assertEquals("none applied", List.of(), a.invalidated);
        assertEquals(0L, a.count(Shootdown.RATE_LIMITED, 0));
        sendRawFrom(shootdown(MAC, 42), "127.0.0.2", "127.0.0.1", port); // the host the cache holds
        Await.until("the true one applied and counted: forgeries took no token of the rate",
                () -> a.invalidated.equals(List.of(MAC)) && a.count(Shootdown.APPLIED, 0) == 1);
    }

    @Test
    public void anOperatorEntryOrOneFramesWaitOnIsNeverRemovedAndTheRefusalIsCounted() throws Exception {
        int port = freePort();
        Context a = new Context(42, "127.0.0.1:4789");
        a.anySender = false;
        a.cachedAt.put(MAC, InetAddress.getByName("127.0.0.2"));
        a.kept.put(MAC, InvalidationContext.Outcome.OPERATOR_ENTRY);
        a.cachedAt.put(MAC + 1, InetAddress.getByName("127.0.0.2"));
        a.kept.put(MAC + 1, InvalidationContext.Outcome.PENDING);
        start(a, port, 100);
        sendRawFrom(shootdown(MAC, 42), "127.0.0.2", "127.0.0.1", port);
        sendRawFrom(shootdown(MAC + 1, 42), "127.0.0.2", "127.0.0.1", port);
        sendRawFrom(shootdown(MAC + 2, 42), "127.0.0.2", "127.0.0.1", port);
        Await.until("each refusal counted by its reason", () -> a.count(Shootdown.OPERATOR_ENTRY, 0) == 1
                && a.count(Shootdown.PENDING, 0) == 1 && a.count(Shootdown.NOT_CACHED, 0) == 1);
        assertEquals(List.of(), a.invalidated);
    }

    @Test
    public void overlaysOnOneAddressShareTheSocketAndEachGetsItsOwnVnet() throws Exception {
        int port = freePort();
        Context a42 = new Context(42, "127.0.0.1:4789");
        Context a43 = new Context(43, "127.0.0.1:4790");
        start(a42, port, 100);
        InvalidationInstance i43 = start(a43, port, 100);
        sendRaw(shootdown(MAC, 43), "127.0.0.1", port);
        Await.until("vnet 43's overlay", () -> a43.invalidated.equals(List.of(MAC)));
        assertEquals(List.of(), a42.invalidated);
        i43.stop();
        sendRaw(shootdown(MAC, 43), "127.0.0.1", port);
        Await.until("after it stopped, vnet 43 is unknown here", () -> a42.count(ShootdownSocket.UNKNOWN_VNET, 0) == 1);
    }

    @Test
    public void aPortThatCannotBeBoundDegradesTheOverlayAndStoppingFreesIt() throws Exception {
        int port = freePort();
        Context a = new Context(42, "127.0.0.1:4789");
        try (DatagramChannel squatter = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", port))) {
            InvalidationInstance i = start(a, port, 100);
            assertTrue(a.health.toString(), a.health.get(0).startsWith("degrade cannot listen for SHOOTDOWN on 127.0.0.1:" + port + ": "));
            i.stop();
        }
        Context b = new Context(42, "127.0.0.1:4789");
        InvalidationInstance ib = start(b, port, 100);
        assertEquals(List.of("restore"), b.health);
        ib.stop();
        try (DatagramChannel again = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", port))) {
            assertTrue("the socket was closed when its last overlay stopped", again.isOpen());
        }
    }
}
