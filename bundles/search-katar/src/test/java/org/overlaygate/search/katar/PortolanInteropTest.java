package org.overlaygate.search.katar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.After;
import org.junit.Test;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.RecordingSearchContext;

/**
 * search-katar against a server that behaves as Joyent's portolan does ({@link PortolanLike}):
 * BULK_REQ crashes it, so it must be asked once at most, ever, and never sent again.
 */
public class PortolanInteropTest {
    static final long VNET = KatarSearchTest.VNET;
    static final long MAC_B = KatarSearchTest.MAC_B;

    private final Closing closing = new Closing();

    @After
    public void closeEverything() throws Exception {
        closing.closeAll();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        return closing.later(c);
    }

    private KatarSearchPlugin plugin(Path bulkFile) {
        KatarSearchPlugin p = new KatarSearchPlugin(KatarSearchTest.FAST, InetAddress::getAllByName);
        p.rememberBulkIn(bulkFile);
        closeLater(p::deactivate);
        return p;
    }

    SearchInstance start(KatarSearchPlugin plugin, RecordingSearchContext ctx, int port, String bulk) throws Exception {
        Map<String, String> p = new TreeMap<>();
        p.put("katar/host", "127.0.0.1");
        p.put("katar/port", Integer.toString(port));
        if (bulk != null) {
            p.put("katar/bulk", bulk);
        }
        SearchInstance s = plugin.create(ctx, PropertyValues.validate(plugin.properties(), p));
        s.start();
        closeLater(s::stop);
        return s;
    }

    private RecordingSearchContext context() {
        RecordingSearchContext ctx = RecordingSearchContext.withRunningTimer(VNET, "10.0.0.1:4789");
        closeLater(ctx::shutdown);
        return ctx;
    }

    @Test
    public void aServerThatClosesTheConnectionOnBulkIsAskedOnceEverAcrossReconnectsAndRestarts() throws Exception {
        PortolanLike portolan = new PortolanLike(VNET).host("10.0.0.1").map(MAC_B, "10.0.0.2", 4789);
        FakeSvpServer srv = closeLater(new FakeSvpServer(portolan));
        Path dir = Files.createTempDirectory("katar-bulk");
        Path file = dir.resolve("katar-client/bulk-refused");

        KatarSearchPlugin first = plugin(file);
        SearchInstance s = start(first, context(), srv.port(), null);
        Await.until("the BULK_REQ the server crashed on is noted", () -> s.stats().get("bulk_unsupported") == 1);
        assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertEquals("the server crashed once", 1, srv.crashes.get());

        int before = srv.accepted.get();
        srv.dropConnections(); // the server restarts for some other reason: the client reconnects
        Await.until("a reconnect", () -> srv.accepted.get() > before && s.stats().get("connections_up") == 1);
        assertEquals("lookups go on one by one", "respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        Await.until("the log is read after the warm-up gave up", () -> !srv.requests(Svp.OP_LOG_REQ).isEmpty());

        assertEquals("BULK_REQ was sent once, never again on a reconnect", 1, srv.requests(Svp.OP_BULK_REQ).size());
        assertEquals(1, srv.crashes.get());
        assertEquals("remembered in the data directory", List.of("127.0.0.1 " + srv.port()), Files.readAllLines(file));
        assertEquals("owner-only", "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        // The appliance restarts: a new plugin reads what the old one learned.
        s.stop();
        first.deactivate();
        KatarSearchPlugin second = plugin(file);
        SearchInstance again = start(second, context(), srv.port(), null);
        int logReqs = srv.requests(Svp.OP_LOG_REQ).size();
        Await.until("the new overlay reads its log, which it does once its warm-up is over",
                () -> srv.requests(Svp.OP_LOG_REQ).size() > logReqs);
        assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(again, MAC_B).get(10_000));
        assertEquals("not asked after the restart either", 1, srv.requests(Svp.OP_BULK_REQ).size());
        assertEquals(1, srv.crashes.get());
        assertEquals(0L, (long) again.stats().get("bulk_runs"));
    }

    @Test
    public void overlaysStartingTogetherAskTheServerOnce() throws Exception {
        PortolanLike portolan = new PortolanLike(VNET).host("10.0.0.1").map(MAC_B, "10.0.0.2", 4789);
        FakeSvpServer srv = closeLater(new FakeSvpServer(portolan));
        KatarSearchPlugin plugin = plugin(null);
        List<SearchInstance> overlays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            overlays.add(start(plugin, context(), srv.port(), null));
        }
        for (SearchInstance s : overlays) {
            assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        }
        Await.until("every overlay's warm-up is over and the log read",
                () -> srv.requests(Svp.OP_LOG_REQ).size() >= 1 && overlays.stream().allMatch(o -> o.stats().get("log_polls") >= 1));
        assertEquals("one BULK_REQ for four overlays", 1, srv.requests(Svp.OP_BULK_REQ).size());
        assertEquals(1, srv.crashes.get());
    }

    @Test
    public void bulkOffNeverAsks() throws Exception {
        PortolanLike portolan = new PortolanLike(VNET).host("10.0.0.1").map(MAC_B, "10.0.0.2", 4789);
        FakeSvpServer srv = closeLater(new FakeSvpServer(portolan));
        SearchInstance s = start(plugin(null), context(), srv.port(), "off");
        Await.until("the log is read at once (nothing to warm)", () -> !srv.requests(Svp.OP_LOG_REQ).isEmpty());
        assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertEquals(0, srv.requests(Svp.OP_BULK_REQ).size());
        assertEquals(0, srv.crashes.get());
        assertTrue(s.stats().get("bulk_runs") == 0);
    }

    @Test
    public void lookupsTheLogAndMovesWorkAgainstIt() throws Exception {
        PortolanLike portolan = new PortolanLike(VNET).host("10.0.0.1").map(MAC_B, "10.0.0.2", 4789, "192.168.1.20")
                .map(KatarSearchTest.MAC_C, "10.0.0.2", 4789);
        FakeSvpServer srv = closeLater(new FakeSvpServer(portolan));
        // Log polls every 100-200 ms, at most 64 bytes of entries: two VL2 entries fill a LOG_ACK.
        ClientSettings settings = new ClientSettings(30_000, 50, 200, 1000, 2000, 1000, 100, 200, 50, 64, 20, 4096, 1024, 16_384,
                java.time.Duration.ofSeconds(60));
        KatarSearchPlugin plugin = new KatarSearchPlugin(settings, InetAddress::getAllByName);
        closeLater(plugin::deactivate);
        RecordingSearchContext ctx = context();
        SearchInstance s = start(plugin, ctx, srv.port(), null);

        assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertEquals("drop not_found", KatarSearchTest.lookup(s, KatarSearchTest.MAC_D).get(10_000));
        assertEquals("02:08:20:00:00:02", KatarSearchTest.proxy(s, "192.168.1.20").get(10, java.util.concurrent.TimeUnit.SECONDS));
        Await.until("BULK given up (the server crashed on it), reconnected, the log read", () -> s.stats().get("bulk_unsupported") == 1
                && s.stats().get("connections_up") == 1 && s.stats().get("log_polls") >= 1);
        int connections = srv.accepted.get();

        portolan.move(KatarSearchTest.MAC_C, "10.0.0.3", 4789); // a VL2 entry
        portolan.move(MAC_B, "10.0.0.3", 4789); // a VL2 entry and a VL3 entry for 192.168.1.20
        ctx.await("invalidate 02:08:20:00:00:03", 10_000);
        ctx.await("invalidate 02:08:20:00:00:02", 10_000);
        ctx.await("set 02:08:20:00:00:02 10.0.0.3:4789", 10_000);
        ctx.await("announce 192.168.1.20 02:08:20:00:00:02", 10_000);
        assertEquals("respond 10.0.0.3:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertEquals("respond 10.0.0.3:4789", KatarSearchTest.lookup(s, KatarSearchTest.MAC_C).get(10_000));

        Await.until("the entries removed, each LOG_RM answered FATAL", () -> portolan.logSize("10.0.0.1") == 0
                && s.stats().get("log_rm_refused") >= 2);
        assertTrue("a LOG_ACK of count + 4 bytes was taken", portolan.logAckSizes.stream().anyMatch(a -> a[0] == a[1] + 4));
        assertEquals(0L, (long) s.stats().get("log_ack_oversize"));
        assertEquals(0L, (long) s.stats().get("replies_malformed"));
        assertEquals("the FATAL LOG_RM_ACKs closed no connection", connections, srv.accepted.get());
        assertEquals(2L, (long) s.stats().get("log_vl2_applied"));
        assertEquals(1L, (long) s.stats().get("log_vl3_applied"));
        assertEquals("BULK crashed it once, nothing else did", 1, srv.crashes.get());
    }

    @Test
    public void aHostWithItsPortIsConnectedToAndAConflictingPortRefusedAtCreate() throws Exception {
        PortolanLike portolan = new PortolanLike(VNET).host("10.0.0.1").map(MAC_B, "10.0.0.2", 4789);
        FakeSvpServer srv = closeLater(new FakeSvpServer(portolan));
        KatarSearchPlugin plugin = plugin(null);
        RecordingSearchContext ctx = context();
        SearchInstance s = plugin.create(ctx, PropertyValues.validate(plugin.properties(),
                Map.of("katar/host", "127.0.0.1:" + srv.port(), "katar/bulk", "off")));
        s.start();
        closeLater(s::stop);
        assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertTrue(ctx.calls.toString(), ctx.calls.stream().noneMatch(c -> c.startsWith("degrade")));
        assertEquals("katar/host names port " + srv.port() + " but katar/port is 1296: give the port once",
                org.junit.Assert.assertThrows(org.overlaygate.api.property.PropertyException.class, () -> plugin.create(ctx,
                        PropertyValues.validate(plugin.properties(), Map.of("katar/host", "127.0.0.1:" + srv.port(), "katar/port", "1296"))))
                        .getMessage());
    }
}
