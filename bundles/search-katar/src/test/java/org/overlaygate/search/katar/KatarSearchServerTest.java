package org.overlaygate.search.katar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.katar.server.KatarService;
import org.overlaygate.katar.server.KatarSettings;
import org.overlaygate.katar.server.store.ImportDocument;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.RecordingSearchContext;

/**
 * The plugin against the real katar server (embedded H2): BULK warms the cache, lookups and the
 * proxy are answered from the imported mappings, and a mapping moved on the server reaches the
 * overlay through the log: forgotten, looked up again, installed and announced.
 */
public class KatarSearchServerTest {
    static final String DOC = "{\"vnets\":[{\"id\":42}],"
            + "\"hosts\":[{\"id\":\"cn1\",\"ip\":\"10.88.0.1\"},{\"id\":\"cn2\",\"ip\":\"10.88.0.2\"},{\"id\":\"cn3\",\"ip\":\"10.88.0.3\"}],"
            + "\"mappings\":[{\"vnet\":42,\"mac\":\"02:08:20:00:00:01\",\"host\":\"cn1\",\"ips\":[\"192.168.1.10\"]},"
            + "{\"vnet\":42,\"mac\":\"02:08:20:00:00:02\",\"host\":\"cn2\",\"ips\":[\"192.168.1.20\",\"fd00::20\"]},"
            + "{\"vnet\":42,\"mac\":\"02:08:20:00:00:03\",\"host\":\"cn3\"}]}";

    private Path dir;
    private KatarService server;
    private KatarSearchPlugin plugin;
    private SearchInstance instance;
    private RecordingSearchContext ctx;

    @Before
    public void start() throws Exception {
        dir = Files.createTempDirectory("katar-search");
        Map<String, Object> config = new HashMap<>();
        config.put("port", "0");
        // this host, cn1 at 10.88.0.1, connects from 127.0.0.1, as a host behind NAT would: the
        // server must take the log's host from the request, not from the connection's source
        config.put("log.trust.named.address", "true");
        server = KatarService.start(KatarSettings.from(config, name -> null, dir));
        server.store().importDocument(ImportDocument.parse(DOC));
        plugin = new KatarSearchPlugin(new ClientSettings(30_000, 50, 200, 1000, 5000, 1000, 100, 200, 50, 16 * 1024, 20, 4096, 1024,
                16_384, Duration.ofSeconds(60)), InetAddress::getAllByName);
    }

    @After
    public void stop() throws Exception {
        if (instance != null) {
            instance.stop();
        }
        plugin.deactivate();
        if (ctx != null) {
            ctx.shutdown();
        }
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private long cn1Log() {
        try {
            return server.store().hosts().stream().filter(h -> h.id().equals("cn1")).findFirst().orElseThrow().logEntries();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void aHostWarmsUpLooksUpProxiesAndFollowsAMoveThroughTheLog() throws Exception {
        ctx = RecordingSearchContext.withRunningTimer(42, "10.88.0.1:4789"); // this host is cn1
        Map<String, String> p = new TreeMap<>();
        p.put("katar/host", "127.0.0.1");
        p.put("katar/port", Integer.toString(server.address().getPort()));
        instance = plugin.create(ctx, PropertyValues.validate(plugin.properties(), p));
        instance.start();

        ctx.await("set 02:08:20:00:00:03 10.88.0.3:4789", 10_000); // BULK: the vnet's mappings but this host's own
        assertTrue(ctx.calls.contains("set 02:08:20:00:00:02 10.88.0.2:4789"));
        assertTrue(ctx.calls.stream().noneMatch(c -> c.startsWith("set 02:08:20:00:00:01")));
        assertEquals("respond 10.88.0.2:4789", KatarSearchTest.lookup(instance, 0x020820000002L).get(5000));
        assertEquals("drop not_found", KatarSearchTest.lookup(instance, 0x020820000009L).get(5000));
        assertEquals("02:08:20:00:00:02", KatarSearchTest.proxy(instance, "fd00::20").get(5, java.util.concurrent.TimeUnit.SECONDS));

        ctx.calls.clear();
        server.store().moveMapping(42, 0x020820000002L, "cn3");
        ctx.await("announce 192.168.1.20 02:08:20:00:00:02", 10_000);
        ctx.await("announce fd00:0:0:0:0:0:0:20 02:08:20:00:00:02", 10_000);
        assertTrue(ctx.calls.toString(), ctx.calls.contains("invalidate 02:08:20:00:00:02"));
        assertTrue(ctx.calls.toString(), ctx.calls.contains("set 02:08:20:00:00:02 10.88.0.3:4789"));
        assertEquals("respond 10.88.0.3:4789", KatarSearchTest.lookup(instance, 0x020820000002L).get(5000));
        Await.until("cn1's log emptied by LOG_RM", () -> cn1Log() == 0);

        Map<String, Long> stats = instance.stats();
        assertEquals(1L, (long) stats.get("log_vl2_applied"));
        assertEquals(2L, (long) stats.get("log_vl3_applied"));
        assertEquals(2L, (long) stats.get("bulk_entries"));
        assertEquals(List.of(), ctx.calls.stream().filter(c -> c.startsWith("degrade")).toList());
    }
}
