package org.overlaygate.katar.server;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.katar.client.KatarClient;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;

/**
 * Two katar servers on one throw-away PostgreSQL, through a database outage: the change feed of
 * server B must come back with the database (not seconds later), and B must never answer a MAC's
 * old host after A moved it, although B could not hear of the move while its feed was down. The
 * read cache's own staleness bound is 60 s here, so nothing but the feed can explain a fresh answer.
 * The figures are printed (MEASURED ...) for the record; the assertions are far looser.
 */
public class KatarPostgresOutageTest {
    static final long VNET = 42;
    static final long MAC = 0x020820000001L;
    static final byte[] CN1 = Addresses.toWire(Addresses.parseIp("10.88.0.1"));
    static final byte[] CN2 = Addresses.toWire(Addresses.parseIp("10.88.0.2"));

    private ThrowawayPostgres pg;
    private KatarService a;
    private KatarService b;

    @Before
    public void start() throws Exception {
        pg = ThrowawayPostgres.startOrSkip(false);
        a = KatarService.start(TestServers.jdbc(pg.url(), pg.user(), "cache.ttl.ms", "60000"));
        b = KatarService.start(TestServers.jdbc(pg.url(), pg.user(), "cache.ttl.ms", "60000"));
    }

    @After
    public void stop() throws Exception {
        TestServers.closeAll(a, b, pg);
    }

    static boolean feedUp(KatarService s) {
        return s.stats().get("changefeed_connected") == 1L;
    }

    /** B's VL2 answer for the MAC, asked until it is not TRYAGAIN (B's pool reconnecting). */
    static byte[] answer(KatarClient client) throws Exception {
        for (int i = 0; i < 5000; i++) {
            Vl2Ack ack = client.vl2(VNET, MAC).get(10, TimeUnit.SECONDS);
            if (ack.status() == Svp.STATUS_OK) {
                return ack.ip();
            }
            assertEquals("only TRYAGAIN while the database comes back", Svp.STATUS_TRYAGAIN, ack.status());
            Thread.sleep(2);
        }
        throw new AssertionError("B kept answering TRYAGAIN");
    }

    /** Moves the MAC through A, retrying while A's pool finds its connections broken by the outage. */
    static void moveThroughA(KatarService a, String host) throws Exception {
        for (int i = 0;; i++) {
            try {
                a.store().moveMapping(VNET, MAC, host);
                return;
            } catch (SQLException e) {
                assertTrue("A could not write within 100 attempts: " + e, i < 100);
                Thread.sleep(10);
            }
        }
    }

    /** How long B answers the old host after A's move, polling every millisecond or so. */
    static long staleMillis(KatarClient viaB, byte[] expected) throws Exception {
        long moved = System.nanoTime();
        while (!Arrays.equals(answer(viaB), expected)) {
            assertTrue("B still answers the old host 30 s after the move", System.nanoTime() - moved < TimeUnit.SECONDS.toNanos(30));
            Thread.sleep(1);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - moved);
    }

    @Test
    public void afterADatabaseOutageTheChangeFeedReturnsWithTheDatabaseAndBNeverAnswersAMovedMacsOldHost() throws Exception {
        a.store().addHost("cn1", Addresses.parseIp("10.88.0.1"), 4789);
        a.store().addHost("cn2", Addresses.parseIp("10.88.0.2"), 4789);
        a.store().addMapping(VNET, MAC, "cn1", 0, List.of());
        Await.until("both change feeds up", () -> feedUp(a) && feedUp(b));
        try (KatarClient viaB = KatarClient.connect(b.address())) {
            // In step: a move through A reaches B's cache by NOTIFY.
            assertArrayEquals(CN1, answer(viaB));
            assertArrayEquals(CN1, answer(viaB)); // now from B's cache
            moveThroughA(a, "cn2");
            long inStep = staleMillis(viaB, CN2);
            System.out.println("MEASURED katar change feed, both up: B answers the new host " + inStep + " ms after A's move");

            // The outage: long enough for a reconnect backoff to grow.
            pg.stopServer();
            long down = System.nanoTime();
            Await.until("B notices the outage", () -> !feedUp(b));
            long noticed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
            // Until B's feed has failed to reconnect often enough for its backoff to reach the cap.
            long failedAtNotice = b.stats().get("changefeed_reconnects");
            Await.until("B's feed failing to reconnect, backing off", 30_000, () -> b.stats().get("changefeed_reconnects") >= failedAtNotice + 5);
            pg.startServer();
            long up = System.nanoTime();

            // At once, while B's feed may still be down: B answers (and may cache) cn2, A moves it to cn1.
            assertArrayEquals(CN2, answer(viaB));
            assertArrayEquals(CN2, answer(viaB));
            long firstAnswer = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up);
            boolean feedAtMove = feedUp(b);
            moveThroughA(a, "cn1");
            long stale = staleMillis(viaB, CN1);
            Await.until("B's change feed back", 30_000, () -> feedUp(b));
            long feedBack = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up);
            System.out.println("MEASURED katar change feed outage: B noticed it after " + noticed + " ms; after the database"
                    + " returned, B answered again after " + firstAnswer + " ms, its feed was back after " + feedBack
                    + " ms (it was " + (feedAtMove ? "up" : "still down") + " at A's move), and B answered the moved MAC's old host for "
                    + stale + " ms after the move");
            // The figures above are for the notes (docs/katar.md), not assertions a loaded machine would
            // break: what must hold is that B comes back in step, its feed up again (waited for above)
            // and the moves that follow reaching it (staleMillis waits for that).
            moveThroughA(a, "cn2");
            long after = staleMillis(viaB, CN2);
            System.out.println("MEASURED katar change feed after the outage: B answers the new host " + after + " ms after A's move");
        }
    }
}
