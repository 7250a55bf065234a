package org.overlaygate.katar.server;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.overlaygate.katar.client.KatarClient;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;

/**
 * Two katar servers sharing one throw-away PostgreSQL on loopback: a mapping moved through server
 * A reaches the invalidation logs of the hosts asking server B, and B's read cache (by NOTIFY, well
 * before the cache's 60 s staleness bound could explain it).
 */
public class KatarPostgresTest {
    static final long VNET = 42;
    static final long MAC = 0x020820000001L;
    static final byte[] CN1 = Addresses.toWire(Addresses.parseIp("10.88.0.1"));
    static final byte[] CN2 = Addresses.toWire(Addresses.parseIp("10.88.0.2"));

    private static ThrowawayPostgres pg;
    private static KatarService a;
    private static KatarService b;

    @BeforeClass
    public static void start() throws Exception {
        pg = ThrowawayPostgres.startOrSkip(false);
        // both at once: the advisory lock lets one migrate while the other waits
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<KatarService> fa = two.submit(() -> KatarService.start(TestServers.jdbc(pg.url(), pg.user(), "cache.ttl.ms", "60000",
                    "log.trust.named.address", "true")));
            Future<KatarService> fb = two.submit(() -> KatarService.start(TestServers.jdbc(pg.url(), pg.user(), "cache.ttl.ms", "60000",
                    "log.trust.named.address", "true")));
            a = fa.get(60, TimeUnit.SECONDS);
            b = fb.get(60, TimeUnit.SECONDS);
        } finally {
            two.shutdown();
        }
        // Until its change feed listens, a server's cache serves nothing (it could not hear of changes).
        Await.until("both change feeds up", () -> KatarPostgresOutageTest.feedUp(a) && KatarPostgresOutageTest.feedUp(b));
    }

    @AfterClass
    public static void stop() throws Exception {
        TestServers.closeAll(a, b, pg);
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    public void aMoveThroughOneServerReachesTheOthersClients() throws Exception {
        int current = org.overlaygate.katar.server.store.Migrations.ALL.size();
        assertEquals(current, a.schemaVersion());
        assertEquals(current, b.schemaVersion());
        a.store().addHost("cn1", Addresses.parseIp("10.88.0.1"), 4789);
        a.store().addHost("cn2", Addresses.parseIp("10.88.0.2"), 4789);
        a.store().addMapping(VNET, MAC, "cn1", 3, List.of(Addresses.parseIp("192.168.1.10")));

        try (KatarClient cn1 = KatarClient.connect(b.address()); KatarClient cn2 = KatarClient.connect(b.address())) {
            assertArrayEquals(CN1, get(cn2.vl2(VNET, MAC)).ip());
            // A load is cached only if no invalidation came in meanwhile (the other test's NOTIFYs
            // may still be arriving): ask again until B answers from its cache.
            Await.until("B answers from its cache now", Await.check(() -> {
                get(cn2.vl2(VNET, MAC));
                return b.store().cache().stats().get("cache_hits") >= 1;
            }));
            assertEquals(0, get(cn1.log(4096, CN1)).entries().size());

            long moved = System.nanoTime();
            a.store().moveMapping(VNET, MAC, "cn2");

            // B's clients get the new answer: B's cache (60 s bound) was invalidated by NOTIFY
            byte[] now;
            do {
                now = get(cn2.vl2(VNET, MAC)).ip();
            } while (!java.util.Arrays.equals(now, CN2) && System.nanoTime() - moved < TimeUnit.SECONDS.toNanos(10));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - moved);
            assertArrayEquals("B's clients see the move", CN2, now);
            assertTrue("within " + ms + " ms, long before the 60 s staleness bound", ms < 10_000);
            Vl3Ack v3 = get(cn2.vl3(VNET, Addresses.toWire(Addresses.parseIp("192.168.1.10")), Svp.VL3_IPV4));
            assertArrayEquals(CN2, v3.ip());

            // and both hosts find their invalidations in the log, through B
            for (KatarClient host : List.of(cn1, cn2)) {
                byte[] ip = host == cn1 ? CN1 : CN2;
                LogAck log = get(host.log(4096, ip));
                assertEquals(2, log.entries().size());
                assertEquals(MAC, ((Vl2Invalidation) log.entries().get(0)).mac());
                Vl3Change c = (Vl3Change) log.entries().get(1);
                assertEquals(3, c.vlan());
                List<byte[]> ids = new ArrayList<>();
                for (LogEntry e : log.entries()) {
                    ids.add(e.id());
                }
                assertEquals(Long.valueOf(Svp.STATUS_OK), get(host.logRemove(ids)));
            }
        }
        // removed through B, gone for A's clients too
        try (KatarClient viaA = KatarClient.connect(a.address())) {
            assertEquals(0, get(viaA.log(4096, CN1)).entries().size());
            assertEquals(0, get(viaA.log(4096, CN2)).entries().size());
        }
        assertTrue(b.stats().get("changefeed_notifications") >= 1);
    }

    @Test
    public void concurrentWritesThroughBothServersStayConsistent() throws Exception {
        a.store().addHost("h1", Addresses.parseIp("10.89.0.1"), 4789);
        a.store().addHost("h2", Addresses.parseIp("10.89.0.2"), 4789);
        for (int i = 0; i < 10; i++) {
            a.store().addMapping(77, 0x020900000000L + i, "h1", 0, List.of());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // Each round's ten moves run at once through both servers; a round starts when the one
            // before has committed, or a retried move of round 2 could land after round 3's.
            for (int round = 0; round < 4; round++) {
                List<Future<String>> moves = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    KatarService via = (i + round) % 2 == 0 ? a : b;
                    long mac = 0x020900000000L + i;
                    String to = round % 2 == 0 ? "h2" : "h1";
                    moves.add(pool.submit(() -> via.store().moveMapping(77, mac, to)));
                }
                for (Future<String> f : moves) {
                    f.get(60, TimeUnit.SECONDS); // serialization failures were retried, not thrown
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(10, b.store().mappings(77L).size());
        assertTrue(b.store().mappings(77L).stream().allMatch(m -> m.host().equals("h1")));
    }
}
