package org.overlaygate.search.katar;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.AddressCallback;
import org.overlaygate.api.search.AddressQuery;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.BulkVl2;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.RecordingSearchContext;

/**
 * The katar search plugin against scripted fake servers on loopback: lookups, the proxy, the log,
 * BULK, shared connections, outages, timeouts, and servers that send garbage.
 */
public class KatarSearchTest {
    static final long VNET = 42;
    static final long MAC_A = 0x020820000001L;
    static final long MAC_B = 0x020820000002L;
    static final long MAC_C = 0x020820000003L;
    static final long MAC_D = 0x020820000004L;
    /**
     * Short timers (not too short: the machine may be busy); the log is read only after BULK, or
     * when a test asks for it.
     */
    static final ClientSettings FAST = new ClientSettings(200, 50, 200, 1000, 2000, 1000, 60_000, 60_000, 50, 16 * 1024, 20, 4096,
            1024, 16_384, Duration.ofSeconds(60));

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previous;

    @Before
    public void watchThreads() {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    }

    @After
    public void closeEverything() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        Thread.setDefaultUncaughtExceptionHandler(previous);
        assertEquals("no thread died", List.of(), uncaught);
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    /** An overlay of {@code vnet} at {@code self} with a timer that runs on time, shut down after the test. */
    RecordingSearchContext context(long vnet, String self) {
        RecordingSearchContext ctx = RecordingSearchContext.withRunningTimer(vnet, self);
        closeLater(ctx::shutdown);
        return ctx;
    }

    KatarSearchPlugin plugin(ClientSettings settings, ServerPool.Resolver resolver) {
        KatarSearchPlugin p = new KatarSearchPlugin(settings, resolver);
        closeLater(p::deactivate);
        return p;
    }

    KatarSearchPlugin plugin() {
        return plugin(FAST, InetAddress::getAllByName);
    }

    FakeSvpServer server(FakeSvpServer.Behaviour b) throws IOException {
        return closeLater(new FakeSvpServer(b));
    }

    SearchInstance start(KatarSearchPlugin plugin, RecordingSearchContext ctx, String host, int port) throws Exception {
        Map<String, String> p = new TreeMap<>();
        p.put("katar/host", host);
        p.put("katar/port", Integer.toString(port));
        SearchInstance s = plugin.create(ctx, PropertyValues.validate(plugin.properties(), p));
        s.start();
        closeLater(s::stop);
        return s;
    }

    /** Records a lookup's answer. */
    static final class Answer implements LookupCallback {
        final CompletableFuture<String> result = new CompletableFuture<>();

        @Override
        public void respond(UnderlayAddress destination) {
            result.complete("respond " + destination);
        }

        @Override
        public void drop(String reason) {
            result.complete("drop " + reason);
        }

        String get(long ms) throws Exception {
            return result.get(ms, TimeUnit.MILLISECONDS);
        }
    }

    static Answer lookup(SearchInstance s, long mac) {
        Answer a = new Answer();
        s.lookup(new LookupRequest(VNET, MAC_A, mac, 0x0800, LookupRequest.NO_VLAN), a);
        return a;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ lookups and the proxy

    @Test
    public void missesAreVl2LookupsAnsweredWithTheMappingAndNotFoundIsADrop() throws Exception {
        Script script = new Script();
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        script.vl2.put(MAC_D, Script.at("10.0.0.1", 4789)); // mapped to this very host
        FakeSvpServer srv = server(script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", srv.port());

        assertEquals("respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        assertEquals("drop not_found", lookup(s, MAC_C).get(10_000));
        assertEquals("drop mapped_here", lookup(s, MAC_D).get(10_000));
        assertEquals("nothing is flooded", "flood []", ctx.calls.get(0));
        assertTrue(ctx.calls.toString(), ctx.calls.stream().noneMatch(c -> c.startsWith("degrade")));
        assertEquals(TargetPolicy.lookup(Duration.ofSeconds(60)), s.targetPolicy());
        assertTrue(s.proxiesAddresses());
        Vl2Request asked = Vl2Request.decode(srv.requests(Svp.OP_VL2_REQ).get(0).frame().payload());
        assertEquals(new Vl2Request(MAC_B, VNET), asked);

        Map<String, Long> stats = s.stats();
        assertEquals(3L, (long) stats.get("lookups"));
        assertEquals(2L, (long) stats.get("lookups_answered"));
        assertEquals(1L, (long) stats.get("lookups_not_found"));
        assertTrue(stats.toString(), stats.get("lookup_latency_p50_us") > 0);
        assertTrue(stats.get("lookup_latency_p99_us") >= stats.get("lookup_latency_p50_us"));
        assertEquals(1L, (long) stats.get("connections_up"));
    }

    @Test
    public void overAnIpProtocolUnderlayDestinationsHaveNoPort() throws Exception {
        Script script = new Script();
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        FakeSvpServer srv = server(script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1"); // NVGRE: no port
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", srv.port());
        assertEquals("respond 10.0.0.2", lookup(s, MAC_B).get(10_000));
    }

    @Test
    public void addressRequestsAreAnsweredFromVl3LookupsWhichInstallTheDestination() throws Exception {
        Script script = new Script();
        script.vl3.put(InetAddress.getByName("192.168.1.20"), Script.mac(MAC_B, "10.0.0.2", 4789));
        script.vl3.put(InetAddress.getByName("fd00::20"), Script.mac(MAC_C, "10.0.0.3", 4789));
        FakeSvpServer srv = server(script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", srv.port());

        assertEquals(MacAddress.format(MAC_B), proxy(s, "192.168.1.20").get(5, TimeUnit.SECONDS));
        assertTrue(ctx.calls.contains("set 02:08:20:00:00:02 10.0.0.2:4789"));
        assertEquals(MacAddress.format(MAC_C), proxy(s, "fd00::20").get(5, TimeUnit.SECONDS));
        assertEquals("unknown", proxy(s, "192.168.1.99").get(5, TimeUnit.SECONDS));
        assertEquals(2L, (long) s.stats().get("proxy_answered"));
    }

    static CompletableFuture<String> proxy(SearchInstance s, String ip) throws Exception {
        CompletableFuture<String> out = new CompletableFuture<>();
        s.proxyAddress(new AddressQuery(VNET, InetAddress.getByName(ip), LookupRequest.NO_VLAN), new AddressCallback() {
            @Override
            public void answer(long mac) {
                out.complete(MacAddress.format(mac));
            }

            @Override
            public void unknown() {
                out.complete("unknown");
            }
        });
        return out;
    }

    @Test
    public void tryAgainIsAskedAgainAfterAPause() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        FakeSvpServer srv = server((f, peer) -> {
            if (f.op() == Svp.OP_VL2_REQ) {
                Vl2Ack a = asked.incrementAndGet() < 3 ? Vl2Ack.status(Svp.STATUS_TRYAGAIN) : Script.at("10.0.0.2", 4789);
                peer.reply(f, Svp.OP_VL2_ACK, a.encode());
            } else {
                new Script().on(f, peer);
            }
        });
        SearchInstance s = start(plugin(), context(VNET, "10.0.0.1:4789"), "127.0.0.1", srv.port());
        assertEquals("respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        assertEquals(3, asked.get());
        assertEquals(2L, (long) s.stats().get("tryagain"));
    }

    @Test
    public void badPropertiesAreRefusedWithTheReason() {
        KatarSearchPlugin p = plugin();
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        assertEquals("missing required property: katar/host",
                assertThrows(PropertyException.class, () -> PropertyValues.validate(p.properties(), Map.of())).getMessage());
        assertEquals("katar/host: 'katar one' is not a host name or address", assertThrows(PropertyException.class,
                () -> p.create(ctx, PropertyValues.validate(p.properties(), Map.of("katar/host", "katar one")))).getMessage());
        assertEquals("katar/port: 0 is out of range 1-65535", assertThrows(PropertyException.class,
                () -> PropertyValues.validate(p.properties(), Map.of("katar/host", "k", "katar/port", "0"))).getMessage());
        ctx.self = null;
        assertTrue(assertThrows(IllegalStateException.class,
                () -> p.create(ctx, PropertyValues.validate(p.properties(), Map.of("katar/host", "k"))).start()).getMessage()
                .contains("not known yet"));
    }

    // ------------------------------------------------------------------ connections

    @Test
    public void withNoServerTheOverlayIsDegradedMissesWaitAndAllHealsWhenOneComes() throws Exception {
        int port = freePort();
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", port);
        String degraded = ctx.await("degrade", 10_000);
        assertTrue(degraded, degraded.startsWith("degrade cannot reach any katar server at 127.0.0.1:" + port + ": "));
        Answer waiting = lookup(s, MAC_B);
        long failed = s.stats().get("connect_failures");
        Await.until("three more reconnect attempts fail meanwhile", () -> s.stats().get("connect_failures") >= failed + 3);
        assertFalse("a miss waits while no server is reachable", waiting.result.isDone());
        assertEquals(1L, (long) s.stats().get("requests_waiting"));

        Script script = new Script();
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        closeLater(new FakeSvpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), script));
        assertEquals("the waiting miss is answered when the server comes", "respond 10.0.0.2:4789", waiting.get(10_000));
        Await.until("restored", () -> "restore".equals(ctx.lastHealth()));
    }

    @Test
    public void aLostServerDegradesOnlyOnceReconnectingFailsAndHealsWhenItReturns() throws Exception {
        int port = freePort();
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Script script = new Script();
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        FakeSvpServer first = new FakeSvpServer(at, script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", port);
        assertEquals("respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        first.close(); // the server goes away
        ctx.await("degrade cannot reach any katar server at 127.0.0.1:" + port, 10_000);
        FakeSvpServer second = closeLater(new FakeSvpServer(at, script));
        Await.until("restored once the server is back", () -> "restore".equals(ctx.lastHealth()));
        assertEquals("respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        assertTrue(s.stats().get("connects") >= 2);
        assertTrue(s.stats().get("reconnects") >= 1);
        assertTrue(second.accepted.get() >= 1);
    }

    @Test
    public void overlaysNamingOneServerShareOneConnectionPerResolvedAddressAndFollowTheName() throws Exception {
        int port = freePort();
        Script script = new Script();
        for (long m = 0; m < 20; m++) {
            script.vl2.put(MAC_B + m, Script.at("10.0.0.2", 4789));
        }
        FakeSvpServer one = closeLater(new FakeSvpServer(new InetSocketAddress("127.0.0.1", port), script));
        FakeSvpServer two = closeLater(new FakeSvpServer(new InetSocketAddress("127.0.0.2", port), script));
        AtomicReference<InetAddress[]> dns = new AtomicReference<>(
                new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")});
        KatarSearchPlugin plugin = plugin(FAST, host -> {
            assertEquals("katar.example", host);
            return dns.get();
        });
        SearchInstance a = start(plugin, context(VNET, "10.0.0.1:4789"), "katar.example", port);
        SearchInstance b = start(plugin, context(43, "10.0.1.1:4789"), "KATAR.example", port);
        Await.until("one connection to each address", () -> one.accepted.get() == 1 && two.accepted.get() == 1);
        Await.until("both up", () -> a.stats().get("connections_up") == 2);
        for (long m = 0; m < 20; m++) {
            assertEquals("respond 10.0.0.2:4789", lookup(m % 2 == 0 ? a : b, MAC_B + m).get(10_000));
        }
        assertEquals(1, plugin.pools().size());
        assertEquals("requests are spread over both", 20, one.requests(Svp.OP_VL2_REQ).size() + two.requests(Svp.OP_VL2_REQ).size());
        assertTrue(one.requests(Svp.OP_VL2_REQ).size() >= 5 && two.requests(Svp.OP_VL2_REQ).size() >= 5);
        assertEquals(1, one.accepted.get());

        dns.set(new InetAddress[] {InetAddress.getByName("127.0.0.2")}); // the name changes
        Await.until("the address the name lost is let go", () -> one.open() == 0);
        assertEquals("respond 10.0.0.2:4789", lookup(a, MAC_B).get(10_000));

        a.stop();
        assertEquals("still used by the other overlay", 1, plugin.pools().size());
        b.stop();
        assertEquals(0, plugin.pools().size());
        Await.until("the last overlay closes the connection", () -> two.open() == 0);
    }

    @Test
    public void nameServersThatHangHoldUpNoOtherServerNorTheTimeouts() throws Exception {
        Script script = new Script();
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        FakeSvpServer srv = server(script);
        java.util.concurrent.CountDownLatch dns = new java.util.concurrent.CountDownLatch(1);
        closeLater(dns::countDown);
        java.util.Set<String> resolvedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        KatarSearchPlugin plugin = plugin(FAST, host -> {
            resolvedOn.add(Thread.currentThread().getName());
            if (host.startsWith("hang")) {
                try {
                    dns.await(); // a name server that never answers: as many of them as the timer has threads
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return InetAddress.getAllByName("127.0.0.1");
        });
        for (int i = 0; i < 4; i++) {
            start(plugin, context(VNET + 1 + i, "10.0.1." + (i + 1) + ":4789"), "hang" + i + ".example", srv.port());
        }
        SearchInstance s = start(plugin, context(VNET, "10.0.0.1:4789"), "fine.example", srv.port());
        assertEquals("another server's lookups go on", "respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        long sweep = System.nanoTime();
        ServerPool pool = ((KatarSearch) s).pool();
        Await.until("a timeout sweep runs meanwhile", () -> pool.lastSweepNanos() != Long.MIN_VALUE && pool.lastSweepNanos() - sweep > 0);
        assertTrue("names are resolved off the timer: " + resolvedOn, resolvedOn.stream().allMatch(t -> t.startsWith("og-katar-connect-")));
    }

    @Test
    public void aNameThatDoesNotResolveDegradesTheOverlay() throws Exception {
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        start(plugin(FAST, host -> {
            throw new java.net.UnknownHostException(host);
        }), ctx, "nowhere.example", 1296);
        assertEquals("degrade cannot reach any katar server at nowhere.example:1296: cannot resolve nowhere.example",
                ctx.await("degrade", 10_000));
    }

    @Test
    public void aRequestUnansweredForTheTimeoutTearsItsConnectionDownAndIsAnsweredByAnother() throws Exception {
        int port = freePort();
        Script good = new Script();
        good.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        FakeSvpServer.Behaviour mute = (f, peer) -> {
            if (f.op() != Svp.OP_VL2_REQ) {
                good.on(f, peer);
            } // VL2 requests are swallowed: the server is stuck
        };
        FakeSvpServer stuck = closeLater(new FakeSvpServer(new InetSocketAddress("127.0.0.1", port), mute));
        FakeSvpServer fine = closeLater(new FakeSvpServer(new InetSocketAddress("127.0.0.2", port), good));
        InetAddress[] both = {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")};
        KatarSearchPlugin plugin = plugin(FAST, host -> both);
        SearchInstance s = start(plugin, context(VNET, "10.0.0.1:4789"), "katar.example", port);
        Await.until("both up", () -> s.stats().get("connections_up") == 2);
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(lookup(s, MAC_B));
        }
        for (Answer a : answers) {
            assertEquals("every lookup answered, the stuck ones after the timeout", "respond 10.0.0.2:4789", a.get(10_000));
        }
        assertTrue("the stuck server got some: " + stuck.requests(Svp.OP_VL2_REQ).size(), stuck.requests(Svp.OP_VL2_REQ).size() >= 1);
        assertTrue(s.stats().get("request_timeouts") >= 1);
        assertTrue(s.stats().get("requests_resent") >= 1);
        Await.until("the torn-down connection reconnects", () -> stuck.accepted.get() >= 2);
        assertTrue(fine.accepted.get() >= 1);
    }

    @Test
    public void badRepliesCloseTheConnectionWhichReconnectsAndNoThreadDies() throws Exception {
        Script script = new Script();
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        // Connection n misbehaves in its own way on its first VL2 request; from the 8th on, all is well.
        java.util.concurrent.atomic.AtomicBoolean truncated = new java.util.concurrent.atomic.AtomicBoolean();
        FakeSvpServer srv = server((f, peer) -> {
            if (f.op() != Svp.OP_VL2_REQ || peer.index >= 8) {
                script.on(f, peer);
                return;
            }
            byte[] good = Script.at("10.0.0.2", 4789).encode();
            switch (peer.index) {
                case 1: // garbage
                    peer.raw("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    break;
                case 2: { // a wrong CRC
                    byte[] bad = Frame.encode(Svp.OP_VL2_ACK, f.id(), good);
                    bad[13] ^= 0x55;
                    peer.raw(bad);
                    break;
                }
                case 3: // truncated: a header promising 20 bytes, then 7 of them, then silence
                    if (truncated.getAndSet(true)) {
                        break;
                    }
                    peer.raw(java.util.Arrays.copyOf(Frame.encode(Svp.OP_VL2_ACK, f.id(), good), 16 + 7));
                    break;
                case 4: // a reply to a request never made
                    peer.reply(new Frame(1, Svp.OP_VL2_REQ, f.id() + 1000, new byte[0]), Svp.OP_VL2_ACK, good);
                    break;
                case 5: // the wrong operation
                    peer.reply(f, Svp.OP_VL3_ACK, new byte[28]);
                    break;
                case 6: // a payload of the wrong size
                    peer.reply(f, Svp.OP_VL2_ACK, new byte[3]);
                    break;
                default: // an unknown version, and a size over any limit
                    peer.raw(new byte[] {0, 9, 0, 4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 1, 0, 0, 0, 0});
            }
        });
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", srv.port());
        String answer = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answer == null || !answer.startsWith("respond")) {
            assertTrue("answered once the server behaves, after " + srv.accepted.get() + " connections", System.nanoTime() < deadline);
            Answer a = lookup(s, MAC_B); // as the data path does: asks again while unanswered
            try {
                answer = a.get(1500);
            } catch (java.util.concurrent.TimeoutException e) {
                answer = null;
            }
        }
        assertEquals("respond 10.0.0.2:4789", answer);
        assertTrue(srv.accepted.get() >= 8);
        Map<String, Long> stats = s.stats();
        assertTrue(stats.toString(), stats.get("replies_malformed") >= 1); // the wrong size (the client itself refuses the rest)
        assertTrue(stats.toString(), stats.get("disconnects") >= 7);
        assertTrue(stats.toString(), stats.get("request_timeouts") >= 1); // the truncated one
        assertTrue("degraded at most briefly, healed: " + ctx.calls, ctx.lastHealth() == null || ctx.lastHealth().equals("restore"));
    }

    @Test
    public void repliesInAnyOrderReachTheirOwnRequests() throws Exception {
        List<Frame> held = new CopyOnWriteArrayList<>();
        FakeSvpServer srv = server((f, peer) -> {
            if (f.op() != Svp.OP_VL2_REQ) {
                new Script().on(f, peer);
                return;
            }
            if (peer.index > 1) {
                throw new AssertionError("one connection all along");
            }
            held.add(f);
            if (held.size() == 5) {
                for (int i = 4; i >= 0; i--) { // last asked, first answered
                    Frame r = held.get(i);
                    long mac = Vl2Request.decode(r.payload()).mac();
                    peer.reply(r, Svp.OP_VL2_ACK, Script.at("10.0.0." + (mac & 0xff), 4789).encode());
                }
            }
        });
        // Ordering, not timeouts, is what this test is about: the server answers nothing until all five
        // requests have come, and the request timeout must not be what ends that wait on a busy machine.
        // (Five lookups reach the server at once; when some did not, misses queued at start were left
        // waiting by a connect that beat the resolver: see ServerPoolTest.)
        ClientSettings patient = new ClientSettings(FAST.resolveEveryMs(), FAST.backoffMinMs(), FAST.backoffMaxMs(), FAST.connectTimeoutMs(),
                30_000, FAST.bulkTimeoutMs(), FAST.logMinMs(), FAST.logMaxMs(), FAST.logAgainMs(), FAST.logBytes(), FAST.tryAgainMs(),
                FAST.maxWaiting(), FAST.maxOutstanding(), FAST.bulkMaxEntries(), FAST.lifetime());
        SearchInstance s = start(plugin(patient, InetAddress::getAllByName), context(VNET, "10.0.0.100:4789"), "127.0.0.1",
                srv.port());
        List<Answer> answers = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            answers.add(lookup(s, 0x020820000000L + i));
        }
        for (int i = 1; i <= 5; i++) {
            assertEquals("respond 10.0.0." + i + ":4789", answers.get(i - 1).get(10_000));
        }
    }

    // ------------------------------------------------------------------ the log

    @Test
    public void theLogIsAppliedRemovedAndPolledAgainSoonWhileEntriesKeepComing() throws Exception {
        Script script = new Script();
        script.vl3.put(InetAddress.getByName("192.168.1.20"), Script.mac(MAC_C, "10.0.0.3", 4789));
        script.logs.add(List.of(new Vl2Invalidation(Script.id(1), MAC_B, VNET),
                new Vl3Change(Script.id(2), Addresses.toWire(InetAddress.getByName("192.168.1.20")), 0, VNET),
                new Vl2Invalidation(Script.id(3), MAC_D, 99))); // a vnet this host does not serve: removed unapplied
        script.logs.add(List.of(new Vl2Invalidation(Script.id(4), MAC_A, VNET)));
        FakeSvpServer srv = server(script);
        // A minute's pause between polls without entries: a third poll within the wait below can only
        // be the quick one that follows a poll that brought entries.
        ClientSettings settings = new ClientSettings(200, 50, 200, 1000, 2000, 1000, 60_000, 60_000, 50, 16 * 1024, 20, 4096, 1024, 16_384,
                Duration.ofSeconds(60));
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(settings, InetAddress::getAllByName), ctx, "127.0.0.1", srv.port());

        ctx.await("invalidate 02:08:20:00:00:01", 10_000);
        int at = ctx.calls.indexOf("invalidate 02:08:20:00:00:02");
        assertTrue(ctx.calls.toString(), at >= 0);
        assertTrue(ctx.calls.toString(), ctx.calls.indexOf("set 02:08:20:00:00:03 10.0.0.3:4789") > at);
        assertTrue(ctx.calls.toString(), ctx.calls.indexOf("announce 192.168.1.20 02:08:20:00:00:03")
                > ctx.calls.indexOf("set 02:08:20:00:00:03 10.0.0.3:4789"));
        Await.until("both batches removed", () -> script.removed.size() == 2);
        assertEquals(3, script.removed.get(0).size());
        assertArrayEquals(Script.id(4), script.removed.get(1).get(0));

        List<FakeSvpServer.Received> polls = srv.requests(Svp.OP_LOG_REQ);
        LogRequest asked = LogRequest.decode(polls.get(0).frame().payload());
        assertEquals(16 * 1024, asked.count());
        assertArrayEquals("this host's underlay address", Addresses.toWire(InetAddress.getByName("10.0.0.1")), asked.ip());
        Await.until("a third poll, soon after the second (not after the minute's pause)", () -> srv.requests(Svp.OP_LOG_REQ).size() >= 3);
        Map<String, Long> stats = s.stats();
        assertEquals(2L, (long) stats.get("log_vl2_applied"));
        assertEquals(1L, (long) stats.get("log_vl3_applied"));
        assertEquals(1L, (long) stats.get("announced"));
        assertEquals(4L, (long) stats.get("log_entries_removed"));
    }

    @Test
    public void aVl3EntryWhoseLookupFailsStaysInTheLog() throws Exception {
        AtomicInteger vl3 = new AtomicInteger();
        Script script = new Script();
        script.logs.add(List.of(new Vl3Change(Script.id(7), Addresses.toWire(InetAddress.getByName("192.168.1.30")), 0, VNET)));
        script.logs.add(List.of(new Vl3Change(Script.id(7), Addresses.toWire(InetAddress.getByName("192.168.1.30")), 0, VNET)));
        FakeSvpServer srv = server((f, peer) -> {
            if (f.op() == Svp.OP_VL3_REQ && vl3.incrementAndGet() <= 3) {
                peer.reply(f, Svp.OP_VL3_ACK, org.overlaygate.katar.protocol.Messages.Vl3Ack.status(Svp.STATUS_TRYAGAIN).encode());
            } else {
                script.on(f, peer);
            }
        });
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        start(plugin(), ctx, "127.0.0.1", srv.port());
        Await.until("removed once applied", () -> script.removed.size() == 1);
        assertEquals("the first poll's entry stayed: only one removal of id 7", 1, script.removed.size());
        assertTrue(srv.requests(Svp.OP_LOG_REQ).size() >= 2);
    }

    @Test
    public void aLogAckPastItsCountByTheStatusWordIsAcceptedAndBeyondIsAReconnect() throws Exception {
        int count = 64; // two VL2 entries; with the status word the payload is 68 bytes
        ClientSettings settings = new ClientSettings(200, 50, 200, 1000, 2000, 1000, 60_000, 60_000, 50, count, 20, 4096, 1024, 16_384,
                Duration.ofSeconds(60));
        AtomicInteger polls = new AtomicInteger();
        FakeSvpServer srv = server((f, peer) -> {
            if (f.op() != Svp.OP_LOG_REQ) {
                new Script().on(f, peer);
                return;
            }
            List<LogEntry> entries = new ArrayList<>(List.of(new Vl2Invalidation(Script.id(1), MAC_B, VNET),
                    new Vl2Invalidation(Script.id(2), MAC_C, VNET)));
            int n = polls.incrementAndGet();
            if (n == 2) {
                entries.add(new Vl2Invalidation(Script.id(3), MAC_D, VNET)); // 100 bytes for a count of 64
            }
            peer.reply(f, Svp.OP_LOG_ACK, new LogAck(Svp.STATUS_OK, n <= 2 ? entries : List.of()).encode());
        });
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(settings, InetAddress::getAllByName), ctx, "127.0.0.1", srv.port());
        ctx.await("invalidate 02:08:20:00:00:03", 10_000); // the 68-byte answer was applied
        Await.until("the 100-byte answer refused", () -> s.stats().get("log_ack_oversize") == 1);
        Await.until("and its connection closed and made again", () -> srv.accepted.get() == 2);
        assertFalse(ctx.calls.contains("invalidate 02:08:20:00:00:04"));
    }

    // ------------------------------------------------------------------ BULK

    @Test
    public void bulkWarmsTheCacheWithTheVnetsMappingsPageByPageThenTheLogIsRead() throws Exception {
        Script script = new Script();
        byte[] two = Addresses.toWire(InetAddress.getByName("10.0.0.2"));
        byte[] self = Addresses.toWire(InetAddress.getByName("10.0.0.1"));
        script.bulk.add(Script.page(true, new BulkVl2(VNET, MAC_A, 4789, self), new BulkVl2(VNET, MAC_B, 4789, two)));
        script.bulk.add(Script.page(false, new BulkVl2(VNET, MAC_C, 4789, two)));
        FakeSvpServer srv = server(script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", srv.port());
        Await.until("the log read after BULK", () -> !srv.requests(Svp.OP_LOG_REQ).isEmpty());
        assertEquals(List.of("flood []", "restore", "set 02:08:20:00:00:02 10.0.0.2:4789", "set 02:08:20:00:00:03 10.0.0.2:4789"),
                ctx.calls);
        assertEquals(2, script.bulkAsked.size());
        assertTrue(script.bulkAsked.get(0).vnetOnly());
        assertEquals(VNET, script.bulkAsked.get(0).vnetId());
        assertFalse(script.bulkAsked.get(0).resumes());
        assertTrue("page 2 resumes after page 1's last entry", script.bulkAsked.get(1).resumes());
        assertEquals(MAC_B, script.bulkAsked.get(1).afterMac());
        assertEquals(2L, (long) s.stats().get("bulk_entries"));
        long bulkAt = srv.requests(Svp.OP_BULK_REQ).get(1).atNanos();
        assertTrue(srv.requests(Svp.OP_LOG_REQ).get(0).atNanos() > bulkAt);
    }

    @Test
    public void aServerThatNeverAnswersBulkIsRememberedAndNothingWaitsForIt() throws Exception {
        Script script = new Script();
        script.bulk = null; // portolan: no answer at all, the connection stays open
        script.vl2.put(MAC_B, Script.at("10.0.0.2", 4789));
        script.logs.add(List.of(new Vl2Invalidation(Script.id(9), 0xFFFF_FFFF_FFFFL, VNET))); // and later an overflow entry
        FakeSvpServer srv = server(script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        long t0 = System.nanoTime();
        SearchInstance s = start(plugin(), ctx, "127.0.0.1", srv.port());
        assertEquals("misses are answered meanwhile", "respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        Await.until("BULK given up after its timeout", () -> s.stats().get("bulk_unsupported") == 1);
        Await.until("the log read after giving up, the overflow entry applied", () -> !script.removed.isEmpty());
        assertEquals(1L, (long) s.stats().get("log_overflows"));
        // The unanswered BULK_REQ must not tear the connection down: wait for a timeout sweep that
        // began after it would have timed out (it was sent after t0).
        long timedOutBy = t0 + TimeUnit.MILLISECONDS.toNanos(FAST.requestTimeoutMs());
        ServerPool pool = ((KatarSearch) s).pool();
        Await.until("a timeout sweep past the BULK request's timeout", FAST.requestTimeoutMs() + Await.DEFAULT_MILLIS,
                () -> pool.lastSweepNanos() != Long.MIN_VALUE && pool.lastSweepNanos() - timedOutBy > 0);
        assertEquals("one connection all along", 1, srv.accepted.get());
        assertEquals("BULK is not asked of that server again", 1, script.bulkAsked.size());
        assertEquals(0L, (long) s.stats().get("request_timeouts"));

        // The connection goes (the server restarts): the BULK_REQ given up on is not sent again on
        // the next connection, where a real portolan would crash on it.
        srv.dropConnections();
        Await.until("a second connection", () -> srv.accepted.get() == 2 && s.stats().get("connections_up") == 1);
        assertEquals("respond 10.0.0.2:4789", lookup(s, MAC_B).get(10_000));
        assertEquals("the given-up BULK_REQ was not sent again", 1, srv.requests(Svp.OP_BULK_REQ).size());
        assertEquals(0L, (long) s.stats().get("requests_resent"));
    }

    @Test
    public void anOverflowEntryReReadsTheVnet() throws Exception {
        Script script = new Script();
        byte[] two = Addresses.toWire(InetAddress.getByName("10.0.0.2"));
        script.bulk.add(Script.page(false, new BulkVl2(VNET, MAC_B, 4789, two)));
        script.bulk.add(Script.page(false, new BulkVl2(VNET, MAC_B, 4790, two)));
        script.logs.add(List.of(new Vl2Invalidation(Script.id(5), 0xFFFF_FFFF_FFFFL, VNET)));
        FakeSvpServer srv = server(script);
        RecordingSearchContext ctx = context(VNET, "10.0.0.1:4789");
        start(plugin(), ctx, "127.0.0.1", srv.port());
        ctx.await("set 02:08:20:00:00:02 10.0.0.2:4790", 10_000);
        assertEquals(2, script.bulkAsked.size());
        assertFalse("the overflow entry is no MAC to forget", ctx.calls.contains("invalidate ff:ff:ff:ff:ff:ff"));
        int flushed = ctx.calls.indexOf("flush");
        assertTrue("the cache, which may hold what the dropped log entries changed, is flushed: " + ctx.calls, flushed >= 0);
        assertTrue("before the vnet is read again: " + ctx.calls, flushed < ctx.calls.indexOf("set 02:08:20:00:00:02 10.0.0.2:4790"));
    }
}
