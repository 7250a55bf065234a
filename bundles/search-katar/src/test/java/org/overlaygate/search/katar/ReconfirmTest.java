package org.overlaygate.search.katar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.RecordingSearchContext;

/**
 * After an invalidation from the log, the answers given since are confirmed again a little later
 * ({@code katar/reconfirm_ms}): a server that answered the lookup the invalidation caused from a
 * stale cache of its own (portolan keeps answers 10 s) is corrected then, and counted, instead of
 * the old host staying in the cache until its 60 s re-confirmation.
 */
public class ReconfirmTest {
    static final long VNET = KatarSearchTest.VNET;
    static final long MAC_B = KatarSearchTest.MAC_B;
    private final Closing closing = new Closing();

    @After
    public void closeEverything() throws Exception {
        closing.closeAll();
    }

    private SearchInstance start(RecordingSearchContext ctx, int port, String reconfirmMs) throws Exception {
        KatarSearchPlugin plugin = new KatarSearchPlugin(KatarSearchTest.FAST, InetAddress::getAllByName);
        closing.later(plugin::deactivate);
        Map<String, String> p = new TreeMap<>();
        p.put("katar/host", "127.0.0.1");
        p.put("katar/port", Integer.toString(port));
        p.put("katar/reconfirm_ms", reconfirmMs);
        SearchInstance s = plugin.create(ctx, PropertyValues.validate(plugin.properties(), p));
        s.start();
        closing.later(s::stop);
        return s;
    }

    private RecordingSearchContext context() {
        RecordingSearchContext ctx = RecordingSearchContext.withRunningTimer(VNET, "10.0.0.1:4789");
        closing.later(ctx::shutdown);
        return ctx;
    }

    /**
     * A server whose log says MAC_B moved, and whose first {@code staleAnswers} answers after
     * handing the log out still name the old host (10.0.0.2), then the new one (10.0.0.3).
     */
    private FakeSvpServer server(int staleAnswers) throws Exception {
        Script script = new Script();
        script.logs.add(List.of(new Vl2Invalidation(Script.id(1), MAC_B, VNET)));
        AtomicBoolean logged = new AtomicBoolean();
        AtomicInteger afterLog = new AtomicInteger();
        FakeSvpServer srv = new FakeSvpServer((Frame f, FakeSvpServer.Peer peer) -> {
            if (f.op() == Svp.OP_LOG_REQ) {
                logged.set(true);
            }
            if (f.op() == Svp.OP_VL2_REQ) {
                boolean stale = !logged.get() || afterLog.incrementAndGet() <= staleAnswers;
                peer.reply(f, Svp.OP_VL2_ACK, Script.at(stale ? "10.0.0.2" : "10.0.0.3", 4789).encode());
                return;
            }
            script.on(f, peer);
        });
        closing.later(srv);
        return srv;
    }

    @Test
    public void aStaleAnswerAfterAnInvalidationIsCorrectedByTheReconfirmationAndCounted() throws Exception {
        FakeSvpServer srv = server(1);
        RecordingSearchContext ctx = context();
        SearchInstance s = start(ctx, srv.port(), "300");
        ctx.await("invalidate 02:08:20:00:00:02", 10_000);
        assertEquals("the lookup the invalidation causes is answered from the server's stale cache", "respond 10.0.0.2:4789",
                KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertEquals("corrected by the re-confirmation", "set 02:08:20:00:00:02 10.0.0.3:4789",
                ctx.await("set 02:08:20:00:00:02", 10_000));
        assertEquals(1L, (long) s.stats().get("reconfirmed"));
        assertEquals(1L, (long) s.stats().get(KatarSearch.STALE_AFTER_INVALIDATION));
    }

    @Test
    public void aStaleAnswerAfterAShootdownIsCorrectedToo() throws Exception {
        // No log at all: the invalidation is a SHOOTDOWN from another host, through the overlay's
        // invalidation plugin; the server answers the lookup it causes from its stale cache once.
        AtomicBoolean shotDown = new AtomicBoolean();
        AtomicInteger after = new AtomicInteger();
        FakeSvpServer srv = new FakeSvpServer((f, peer) -> {
            if (f.op() == Svp.OP_VL2_REQ) {
                boolean stale = !shotDown.get() || after.incrementAndGet() <= 1;
                peer.reply(f, Svp.OP_VL2_ACK, Script.at(stale ? "10.0.0.2" : "10.0.0.3", 4789).encode());
                return;
            }
            new Script().on(f, peer);
        });
        closing.later(srv);
        RecordingSearchContext ctx = context();
        SearchInstance s = start(ctx, srv.port(), "300");
        assertEquals("respond 10.0.0.2:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        shotDown.set(true);
        s.invalidated(MAC_B); // as varpd tells it before the data path forgets the entry
        assertEquals("the lookup the SHOOTDOWN causes, answered stale", "respond 10.0.0.2:4789",
                KatarSearchTest.lookup(s, MAC_B).get(10_000));
        assertEquals("corrected by the re-confirmation", "set 02:08:20:00:00:02 10.0.0.3:4789",
                ctx.await("set 02:08:20:00:00:02", 10_000));
        assertEquals(1L, (long) s.stats().get(KatarSearch.STALE_AFTER_INVALIDATION));
    }

    @Test
    public void aFreshAnswerIsConfirmedAndLeftAlone() throws Exception {
        FakeSvpServer srv = server(0);
        RecordingSearchContext ctx = context();
        SearchInstance s = start(ctx, srv.port(), "300");
        ctx.await("invalidate 02:08:20:00:00:02", 10_000);
        assertEquals("respond 10.0.0.3:4789", KatarSearchTest.lookup(s, MAC_B).get(10_000));
        Await.until("the answer confirmed again", () -> s.stats().get("reconfirmed") == 1);
        assertEquals(0L, (long) s.stats().get(KatarSearch.STALE_AFTER_INVALIDATION));
        assertFalse(ctx.calls.toString(), ctx.calls.stream().anyMatch(c -> c.startsWith("set 02:08:20:00:00:02")));
        assertEquals("asked twice: the data path's lookup and the re-confirmation", 2, srv.requests(Svp.OP_VL2_REQ).size());
    }

    @Test
    public void aVl3ChangeAnsweredStaleIsInstalledAndAnnouncedAgainWhenTheFreshAnswerDiffers() throws Exception {
        InetAddress ip = InetAddress.getByName("192.168.1.20");
        Script script = new Script();
        script.logs.add(List.of(new Vl3Change(Script.id(2), Addresses.toWire(ip), 0, VNET)));
        AtomicInteger vl3 = new AtomicInteger();
        FakeSvpServer srv = new FakeSvpServer((f, peer) -> {
            if (f.op() == Svp.OP_VL3_REQ) {
                String at = vl3.incrementAndGet() == 1 ? "10.0.0.2" : "10.0.0.3"; // stale once, then fresh
                peer.reply(f, Svp.OP_VL3_ACK, Script.mac(MAC_B, at, 4789).encode());
                return;
            }
            script.on(f, peer);
        });
        closing.later(srv);
        RecordingSearchContext ctx = context();
        SearchInstance s = start(ctx, srv.port(), "300");
        ctx.await("set 02:08:20:00:00:02 10.0.0.2:4789", 10_000);
        ctx.await("set 02:08:20:00:00:02 10.0.0.3:4789", 10_000);
        Await.until("announced twice", () -> ctx.calls.stream().filter(c -> c.equals("announce 192.168.1.20 02:08:20:00:00:02")).count() == 2);
        assertEquals(1L, (long) s.stats().get(KatarSearch.STALE_AFTER_INVALIDATION));
    }
}
