package org.overlaygate.katar.server.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.KatarSettings;
import org.overlaygate.katar.server.TestServers;

/** The writes and their invalidations on the embedded database, and the schema's versioning. */
public class MappingStoreTest {
    static final String DOC = "{\"vnets\":[{\"id\":42,\"name\":\"blue\"}],"
            + "\"hosts\":[{\"id\":\"cn1\",\"ip\":\"10.88.0.1\"},{\"id\":\"cn2\",\"ip\":\"10.88.0.2\"},{\"id\":\"cn3\",\"ip\":\"10.88.0.3\"}],"
            + "\"mappings\":[{\"vnet\":42,\"mac\":\"02:08:20:00:00:01\",\"host\":\"cn1\",\"ips\":[\"192.168.1.10\"]},"
            + "{\"vnet\":42,\"mac\":\"02:08:20:00:00:02\",\"host\":\"cn2\",\"vlan\":5,\"ips\":[\"192.168.1.20\"]},"
            + "{\"vnet\":7,\"mac\":\"02:08:20:00:00:03\",\"host\":\"cn3\"}]}";
    static final long MAC1 = 0x020820000001L;
    static final long MAC2 = 0x020820000002L;

    private Path dir;
    private Database db;
    private MappingStore store;

    @Before
    public void open() throws Exception {
        dir = Files.createTempDirectory("katar-store");
        db = new Database(KatarSettings.embeddedUrl(dir), "", "", 4);
        Migrations.migrate(db, Migrations.ALL);
        store = new MappingStore(db, new ReadCache(1000, 60_000));
    }

    @After
    public void close() throws Exception {
        db.close();
        TestServers.delete(dir);
    }

    static InetAddress ip(String s) {
        return Addresses.parseIp(s);
    }

    List<LogEntry> log(String hostIp) throws SQLException {
        LogAck ack = store.log(Addresses.toWire(ip(hostIp)), 1 << 20);
        assertEquals(Svp.STATUS_OK, ack.status());
        return ack.entries();
    }

    @Test
    public void importIsIdempotent() throws Exception {
        String first = store.importDocument(ImportDocument.parse(DOC));
        assertTrue(first, first.startsWith("imported 1 vnet(s), 3 host(s), 3 mapping(s): 7 added, 0 changed, 0 unchanged; 0 invalidation(s)"));
        String again = store.importDocument(ImportDocument.parse(DOC));
        assertTrue(again, again.endsWith("0 added, 0 changed, 7 unchanged; 0 invalidation(s) logged"));
        assertEquals(3, store.hosts().size());
        assertEquals(3, store.mappings(null).size());
        assertEquals(0, log("10.88.0.1").size());
    }

    @Test
    public void badInputChangesNothing() throws Exception {
        String doc = DOC.replace("\"host\":\"cn3\"", "\"host\":\"cn9\"");
        try {
            store.importDocument(ImportDocument.parse(doc));
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("mappings[2]: no host 'cn9' (add it with katar:host-add)", e.getMessage());
        }
        assertEquals("the hosts of the same document were rolled back", 0, store.hosts().size());
        assertEquals(0, store.mappings(null).size());

        store.importDocument(ImportDocument.parse(DOC));
        expect(() -> store.addHost("cn1", ip("10.88.0.9"), 4789), "host 'cn1' already exists at 10.88.0.1:4789 (katar:import changes it)");
        expect(() -> store.addHost("cn9", ip("10.88.0.1"), 4789), "underlay address 10.88.0.1 is already host 'cn1'");
        expect(() -> store.addHost("bad id", ip("10.88.0.9"), 4789), "bad host id 'bad id': letters, digits, '.', '_', '-', at most 64");
        expect(() -> store.addMapping(42, MAC1, "cn2", 0, List.of()),
                "vnet 42 mac 02:08:20:00:00:01 is already mapped (host cn1, vlan 0, 192.168.1.10): use katar:map-move or katar:map-remove");
        expect(() -> store.addMapping(42, 0x020820000009L, "cn2", 0, List.of(ip("192.168.1.10"))),
                "ip 192.168.1.10 in vnet 42 belongs to mac 02:08:20:00:00:01 (katar:map-remove it there first)");
        expect(() -> store.removeMapping(42, 0x020820000009L), "no mapping for vnet 42 mac 02:08:20:00:00:09");
        expect(() -> store.moveMapping(42, MAC1, "cn9"), "no host 'cn9' (add it with katar:host-add)");
        expect(() -> store.addMapping(42, 0x030000000001L, "cn1", 0, List.of()), "mac 03:00:00:00:00:01 is a group address, not a VNIC's");
        assertEquals("the refused mapping with a taken IP left nothing behind", 3, store.mappings(null).size());
        assertEquals("the same mapping again is no change", "vnet 42 mac 02:08:20:00:00:01 unchanged on host cn1",
                store.addMapping(42, MAC1, "cn1", 0, List.of(ip("192.168.1.10"))));
    }

    private interface Write {
        void run() throws SQLException;
    }

    private static void expect(Write w, String message) throws SQLException {
        try {
            w.run();
            fail("accepted: " + message);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void moveRemoveAndIpChangesLogForEveryHostOnTheVnet() throws Exception {
        store.importDocument(ImportDocument.parse(DOC));
        String moved = store.moveMapping(42, MAC1, "cn3");
        assertEquals("vnet 42 mac 02:08:20:00:00:01 moved from host cn1 to cn3, 6 invalidation(s) logged", moved);
        for (String host : List.of("10.88.0.1", "10.88.0.2", "10.88.0.3")) {
            List<LogEntry> l = log(host);
            assertEquals(host, 2, l.size());
            assertEquals(Svp.LOG_VL2, l.get(0).type());
            assertEquals(Svp.LOG_VL3, l.get(1).type());
        }
        assertEquals("vnet 42 mac 02:08:20:00:00:01 already on host cn3", store.moveMapping(42, MAC1, "cn3"));

        // an IP moving to another MAC (import makes the file's IP list the truth): VL3 only
        String doc = "{\"mappings\":[{\"vnet\":42,\"mac\":\"02:08:20:00:00:02\",\"host\":\"cn2\",\"vlan\":5,"
                + "\"ips\":[\"192.168.1.20\",\"192.168.1.10\"]}]}";
        store.importDocument(ImportDocument.parse(doc));
        List<LogEntry> cn2 = log("10.88.0.2");
        Vl3Change last = (Vl3Change) cn2.get(cn2.size() - 1);
        assertEquals("192.168.1.10", Addresses.formatIp(last.ip()));
        assertEquals(5, last.vlan());
        assertEquals(3, cn2.size());

        String removed = store.removeMapping(42, MAC2);
        // cn1 has no mapping in vnet 42 any more: cn2 and cn3 hear of it, each a VL2 and two VL3 entries
        assertEquals("vnet 42 mac 02:08:20:00:00:02 removed from host cn2, 6 invalidation(s) logged", removed);
        assertEquals("hosts on other vnets hear nothing", 0, countVnet(log("10.88.0.3"), 7));

        List<byte[]> ids = new ArrayList<>();
        log("10.88.0.1").forEach(e -> ids.add(e.id()));
        store.logRemove(ids);
        assertEquals(0, log("10.88.0.1").size());
    }

    private static long countVnet(List<LogEntry> entries, long vnet) {
        return entries.stream().filter(e -> e instanceof Vl3Change v ? v.vnetId() == vnet
                : ((org.overlaygate.katar.protocol.Messages.Vl2Invalidation) e).vnetId() == vnet).count();
    }

    @Test
    public void aHostsNewUnderlayInvalidatesItsMappings() throws Exception {
        store.importDocument(ImportDocument.parse(DOC));
        String r = store.importDocument(ImportDocument.parse("{\"hosts\":[{\"id\":\"cn1\",\"ip\":\"10.88.1.1\",\"port\":4789}]}"));
        assertTrue(r, r.endsWith("0 added, 1 changed, 0 unchanged; 4 invalidation(s) logged")); // cn1, cn2 on vnet 42 x (VL2 + VL3)
        assertEquals(2, log("10.88.0.2").size());
        assertEquals("10.88.1.1", Addresses.formatIp(store.loadVl2(42, MAC1).ip()));
    }

    @Test
    public void schemaIsVersionedAndMigratedOnce() throws Exception {
        int current = Migrations.ALL.size();
        assertEquals(current, store.schemaVersion());
        List<Migrations.Migration> next = new ArrayList<>(Migrations.ALL);
        next.add(new Migrations.Migration(current + 1, "test: an index",
                List.of("CREATE INDEX IF NOT EXISTS katar_test_idx ON katar_log (created)")));
        assertEquals(current + 1, Migrations.migrate(db, next));
        assertEquals(current + 1, Migrations.migrate(db, next));
        assertEquals(current + 1, store.schemaVersion());
        try {
            Migrations.migrate(db, Migrations.ALL);
            fail("an older server accepted a newer schema");
        } catch (IllegalStateException e) {
            assertEquals("the katar database schema is at version " + (current + 1) + ", newer than this server knows (" + current
                    + "): upgrade the server", e.getMessage());
        }
    }

    @Test
    public void reopenedDatabaseHasEverything() throws Exception {
        store.importDocument(ImportDocument.parse(DOC));
        store.moveMapping(42, MAC1, "cn2");
        db.close();
        db = new Database(KatarSettings.embeddedUrl(dir), "", "", 4);
        Migrations.migrate(db, Migrations.ALL);
        store = new MappingStore(db, new ReadCache(10, 1000));
        assertEquals(3, store.mappings(null).size());
        assertEquals("10.88.0.2", Addresses.formatIp(store.loadVl2(42, MAC1).ip()));
        assertEquals(2, log("10.88.0.2").size());
        assertEquals("cn3 is on vnet 7 only", 0, log("10.88.0.3").size());
    }

    @Test
    public void aHostIsRemovedOnlyWithoutMappingsUnlessForcedAndThenTheVnetIsTold() throws Exception {
        store.importDocument(ImportDocument.parse(DOC));
        IllegalArgumentException refused = org.junit.Assert.assertThrows(IllegalArgumentException.class, () -> store.removeHost("cn1", false));
        assertEquals("host cn1 still owns 1 mapping(s) (vnet 42 mac 02:08:20:00:00:01): move or remove them first,"
                + " or katar:host-remove -f cn1 removes them too", refused.getMessage());
        assertEquals(3, store.hosts().size());
        assertEquals("no host 'cn9'", org.junit.Assert.assertThrows(IllegalArgumentException.class, () -> store.removeHost("cn9", true))
                .getMessage());

        assertEquals("host cn1 removed with its 1 mapping(s), 2 invalidation(s) logged", store.removeHost("cn1", true));
        assertEquals(List.of("cn2", "cn3"), store.hosts().stream().map(Rows.Host::id).collect(java.util.stream.Collectors.toList()));
        assertEquals(Svp.STATUS_NOTFOUND, store.loadVl2(42, MAC1).status());
        assertEquals("cn2 was told to forget the MAC and its IP", 2, log("10.88.0.2").size());
        assertEquals(0, store.logLines(100).stream().filter(l -> l.host().equals("cn1")).count());

        store.removeMapping(7, 0x020820000003L);
        assertEquals("host cn3 removed", store.removeHost("cn3", false));
        assertEquals("an address freed by a removed host can be given again", "host cn9 added at 10.88.0.3:4789",
                store.addHost("cn9", ip("10.88.0.3"), 4789));
    }

    @Test
    public void aHostsLogIsCappedTheOldestDroppedCountedAndReplacedByOneOverflowEntryPerVnet() throws Exception {
        db.close();
        db = new Database(KatarSettings.embeddedUrl(dir), "", "", 4);
        store = new MappingStore(db, new ReadCache(1000, 60_000), 5);
        store.importDocument(ImportDocument.parse(DOC));
        // Every move of MAC2 logs VL2 + VL3 for cn1 and cn2 (both on vnet 42): cn1 never reads its log.
        for (int i = 0; i < 4; i++) {
            store.moveMapping(42, MAC2, i % 2 == 0 ? "cn1" : "cn2");
        }
        List<LogEntry> cn1 = log("10.88.0.1");
        assertEquals("5 entries and one overflow entry for vnet 42", 6, cn1.size());
        long overflow = cn1.stream().filter(e -> e instanceof org.overlaygate.katar.protocol.Messages.Vl2Invalidation v
                && v.mac() == 0xFFFF_FFFF_FFFFL && v.vnetId() == 42).count();
        assertEquals(1, overflow);
        Rows.Host host = store.hosts().get(0);
        assertEquals("cn1", host.id());
        assertEquals(3, host.logDropped());
        assertEquals(6, host.logEntries());
        assertTrue(store.logLines(100).stream().anyMatch(l -> l.host().equals("cn1") && l.overflow()));

        store.moveMapping(42, MAC2, "cn1"); // two more entries, two more dropped: still one overflow entry
        assertEquals(6, log("10.88.0.1").size());
        assertEquals(5, store.hosts().get(0).logDropped());

        // The host reads and removes everything, overflow entry included: its log starts over.
        List<byte[]> ids = new ArrayList<>();
        log("10.88.0.1").forEach(e -> ids.add(e.id()));
        store.logRemove(ids);
        assertEquals(0, log("10.88.0.1").size());
        store.moveMapping(42, MAC2, "cn2");
        assertEquals(2, log("10.88.0.1").size());
    }
}
