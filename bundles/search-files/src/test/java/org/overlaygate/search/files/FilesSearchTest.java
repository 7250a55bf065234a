package org.overlaygate.search.files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.testsupport.RecordingSearchContext;

/** One overlay's instance over a real file, the timer driven by hand: answers, watching, degrading, healing. */
public class FilesSearchTest {
    private static final String A = "02:08:20:00:00:0a";
    private static final String B = "02:08:20:00:00:0b";
    private static final String C = "02:08:20:00:00:0c";

    private final FilesSearchPlugin plugin = new FilesSearchPlugin();
    private RecordingSearchContext ctx;
    private Path dir;
    private Path file;
    private int version;

    @Before
    public void setUp() throws Exception {
        ctx = new RecordingSearchContext();
        plugin.reads = Runnable::run; // each read at once, on the timer's (the test's) thread: see readsLeaveTheTimer...
        dir = Files.createTempDirectory("files-search");
        file = dir.resolve("map.json");
    }

    @After
    public void tearDown() throws Exception {
        ctx.shutdown();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String json(String... entries) {
        return "{\n" + String.join(",\n", entries) + "\n}\n";
    }

    private static String entry(String mac, String ip, int port, String arp) {
        return "  \"" + mac + "\": { \"ip\": \"" + ip + "\", \"port\": " + port + (arp == null ? "" : ", \"arp\": \"" + arp + "\"") + " }";
    }

    /** Writes the file as an editor that renames a temporary file into place does. */
    private void write(String text) throws Exception {
        Path tmp = dir.resolve("map.json.tmp" + version++);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private SearchInstance started() throws Exception {
        SearchInstance s = plugin.create(ctx, PropertyValues.validate(plugin.properties(), Map.of("files/config", file.toString())));
        s.start();
        return s;
    }

    private static String lookup(SearchInstance s, String mac) {
        List<String> answer = new ArrayList<>();
        s.lookup(new LookupRequest(42, MacAddress.parse(A), MacAddress.parse(mac), 0x0800, LookupRequest.NO_VLAN), new LookupCallback() {
            @Override
            public void respond(UnderlayAddress destination) {
                answer.add(destination.toString());
            }

            @Override
            public void drop(String reason) {
                answer.add("drop " + reason);
            }
        });
        return String.join(",", answer);
    }

    private static String proxy(SearchInstance s, String ip) throws Exception {
        List<String> answer = new ArrayList<>();
        s.proxyAddress(new AddressQuery(42, InetAddress.getByName(ip), LookupRequest.NO_VLAN), new AddressCallback() {
            @Override
            public void answer(long mac) {
                answer.add(MacAddress.format(mac));
            }

            @Override
            public void unknown() {
                answer.add("unknown");
            }
        });
        return String.join(",", answer);
    }

    @Test
    public void answersLookupsAndArpFromTheFileAndFloodsNothing() throws Exception {
        write(json(entry(A, "10.0.0.1", 6081, "192.168.1.10"), entry(B, "10.0.0.2", 6081, "192.168.1.11")));
        SearchInstance s = started();
        assertEquals(List.of("flood []", "invalidate " + A, "invalidate " + B), ctx.take());
        assertEquals(TargetPolicy.LOOKUP_ONLY, s.targetPolicy());
        assertTrue(s.proxiesAddresses());
        assertEquals(SearchMode.DYNAMIC, plugin.mode());
        assertEquals("10.0.0.2:6081", lookup(s, B));
        assertEquals("drop not_in_file", lookup(s, C));
        assertEquals("this host's own address: its VNICs are switched locally", "drop mapped_here", lookup(s, A));
        assertEquals(B, proxy(s, "192.168.1.11"));
        assertEquals("unknown", proxy(s, "192.168.1.12"));
        assertEquals(1, ctx.periodicTasks());
        s.stop();
        assertEquals(0, ctx.periodicTasks());
    }

    @Test
    public void aMoveIsAppliedAtTheNextPollAndTouchesOnlyTheMovedMac() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, null), entry(C, "10.0.0.3", 6081, null)));
        SearchInstance s = started();
        ctx.take();
        ctx.tick();
        assertEquals("an unchanged file is not read again", List.of(), ctx.take());
        write(json(entry(B, "10.0.0.2", 6081, null), entry(C, "10.0.0.4", 6081, null)));
        ctx.tick();
        assertEquals(List.of("set " + C + " 10.0.0.4:6081"), ctx.take());
        assertEquals("10.0.0.4:6081", lookup(s, C));
        write(json(entry(B, "10.0.0.2", 6081, null)));
        ctx.tick();
        assertEquals(List.of("invalidate " + C), ctx.take());
        assertEquals("drop not_in_file", lookup(s, C));
    }

    @Test
    public void aBrokenVersionKeepsTheLastGoodOneAndDegradesUntilFixed() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, "192.168.1.11")));
        SearchInstance s = started();
        ctx.take();
        write(json(entry(B, "10.0.0.2", 6081, "192.168.1.11"), "  \"" + C + "\": { \"ip\": \"10.0.0.3\", \"prot\": 6081 }"));
        ctx.tick();
        assertEquals("a bad version waits one poll: it may be half-written", List.of(), ctx.take());
        ctx.tick();
        assertEquals(List.of("degrade file " + file + ", line 3: unknown key \"prot\" in " + C
                + " (known: arp, dhcp, dhcp-proxy, ip, ndp, port); the last good version stays in force"), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));
        assertEquals("drop not_in_file", lookup(s, C));
        assertEquals(B, proxy(s, "192.168.1.11"));
        ctx.tick();
        assertEquals("degraded once, not at every poll", List.of(), ctx.take());
        write(json(entry(B, "10.0.0.2", 6081, "192.168.1.11"), entry(C, "10.0.0.3", 6081, null)));
        ctx.tick();
        assertEquals("compared with the last good version", List.of("invalidate " + C, "restore"), ctx.take());
        assertEquals("10.0.0.3:6081", lookup(s, C));
    }

    @Test
    public void aHalfWrittenVersionThatIsCompletedInTimeNeverDegrades() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, null)));
        started();
        ctx.take();
        Files.writeString(file, "{\n  \"" + B + "\": { \"ip\": \"10.0.0.2\",");
        ctx.tick();
        Files.writeString(file, json(entry(B, "10.0.0.2", 6082, null)));
        ctx.tick();
        assertEquals(List.of("set " + B + " 10.0.0.2:6082"), ctx.take());
    }

    @Test
    public void aMissingFileDropsEverythingUntilItAppears() throws Exception {
        SearchInstance s = started();
        assertEquals(List.of("flood []", "degrade file " + file + ": cannot read it: no such file;"
                + " no mapping in force: every destination is dropped"), ctx.take());
        assertEquals("drop no_mapping_file", lookup(s, B));
        assertEquals("unknown", proxy(s, "192.168.1.11"));
        write(json(entry(B, "10.0.0.2", 6081, null)));
        ctx.tick();
        assertEquals(List.of("invalidate " + B, "restore"), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));
        Files.delete(file);
        ctx.tick();
        ctx.tick();
        assertEquals(List.of("degrade file " + file + ": cannot read it: no such file; the last good version stays in force"), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));
    }

    @Test
    public void theUnderlayDecidesWhetherPortsAreNeeded() throws Exception {
        write("{ \"" + B + "\": { \"ip\": \"10.0.0.2\" } }");
        ctx.self = null; // the encapsulation is not bound yet: a port is neither required nor refused
        SearchInstance s = started();
        assertEquals(List.of("flood []", "invalidate " + B), ctx.take());
        assertEquals("10.0.0.2", lookup(s, B));
        ctx.self = UnderlayAddress.parse("10.0.0.1:6081"); // bound to a UDP encapsulation: the file is checked again
        ctx.tick();
        ctx.tick();
        assertEquals(List.of("degrade file " + file + ", line 1: " + B + " has no \"port\": the overlay's encapsulation runs over UDP;"
                + " the last good version stays in force"), ctx.take());
    }

    @Test
    public void aReplacingInstanceComparesTheFileWithWhatTheOldOneHadInForce() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, null), entry(C, "10.0.0.3", 6081, null)));
        SearchInstance old = started();
        old.stop();
        Map<String, String> state = old.saveState();
        assertEquals(Map.of("applied", B + "=10.0.0.2:6081;" + C + "=10.0.0.3:6081"), state);
        write(json(entry(B, "10.0.0.2", 6081, null), entry(C, "10.0.0.5", 6081, null))); // changed while nobody watched
        ctx.take();
        SearchInstance next = plugin.create(ctx, PropertyValues.validate(plugin.properties(), Map.of("files/config", file.toString())));
        next.restoreState(state);
        next.start();
        assertEquals(List.of("flood []", "set " + C + " 10.0.0.5:6081"), ctx.take());
    }

    @Test
    public void aStoppedInstanceNoLongerReadsTheFile() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, null)));
        FilesSearch s = (FilesSearch) started();
        s.stop();
        ctx.take();
        write(json(entry(B, "10.0.0.9", 6081, null)));
        s.check(false);
        assertEquals(List.of(), ctx.take());
    }

    private void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals("mkfifo " + p, 0, mk.waitFor());
    }

    @Test(timeout = 60_000) // a FIFO opened for reading would block here for ever
    public void aFifoIsNeverOpenedAndTheLastGoodVersionStays() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, "192.168.1.11")));
        SearchInstance s = started();
        ctx.take();
        Files.delete(file);
        mkfifo(file);
        ctx.tick();
        ctx.tick();
        assertEquals(List.of("degrade file " + file + ": is a FIFO, not a regular file: only a regular file is read;"
                + " the last good version stays in force"), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));
        Files.delete(file);
        write(json(entry(B, "10.0.0.3", 6081, "192.168.1.11")));
        ctx.tick();
        assertEquals("the good file cures it", List.of("set " + B + " 10.0.0.3:6081", "restore"), ctx.take());
    }

    @Test(timeout = 60_000)
    public void aFifoAtStartLeavesNothingInForceAndDoesNotBlock() throws Exception {
        mkfifo(file);
        SearchInstance s = started();
        assertEquals(List.of("flood []", "degrade file " + file + ": is a FIFO, not a regular file: only a regular file is read;"
                + " no mapping in force: every destination is dropped"), ctx.take());
        assertEquals("drop no_mapping_file", lookup(s, B));
    }

    @Test(timeout = 60_000) // /dev/zero read whole would fill the heap
    public void aDeviceOrALinkToOneIsRefused() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, null)));
        SearchInstance s = started();
        ctx.take();
        Files.delete(file);
        Files.createSymbolicLink(file, Path.of("/dev/zero"));
        ctx.tick();
        ctx.tick();
        assertEquals(List.of("degrade file " + file + ": leads to /dev/zero, a character device, not a regular file:"
                + " only a regular file is read; the last good version stays in force"), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));

        SearchInstance zero = plugin.create(ctx, PropertyValues.validate(plugin.properties(), Map.of("files/config", "/dev/zero")));
        zero.start();
        assertEquals(List.of("flood []", "degrade file /dev/zero: is a character device, not a regular file: only a regular file is read;"
                + " no mapping in force: every destination is dropped"), ctx.take());
        zero.stop();
    }

    @Test
    public void aLinkToARegularFileIsFollowed() throws Exception {
        Path real = dir.resolve("real.json");
        Files.writeString(real, json(entry(B, "10.0.0.2", 6081, null)));
        Files.createSymbolicLink(file, real);
        SearchInstance s = started();
        assertEquals(List.of("flood []", "invalidate " + B), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));
    }

    @Test
    public void aFileOverTheBoundIsRefusedBeforeItIsRead() throws Exception {
        write(json(entry(B, "10.0.0.2", 6081, null)));
        SearchInstance s = started();
        ctx.take();
        try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            big.setLength(MappingFile.MAX_BYTES + 1); // sparse: nothing to read but its size
        }
        ctx.tick();
        ctx.tick();
        assertEquals(List.of("degrade file " + file + ": " + (MappingFile.MAX_BYTES + 1) + " bytes, more than the 16 MiB a mapping may have;"
                + " the last good version stays in force"), ctx.take());
        assertEquals("10.0.0.2:6081", lookup(s, B));
    }

    @Test(timeout = 60_000)
    public void readingStopsAtTheBoundWhateverTheFileTurnsOutToBe() {
        // a device swapped in between the check and the open is still read no further than the bound
        MappingException e = assertThrows(MappingException.class, () -> MappingReader.readAtMost(Path.of("/dev/zero"), 1 << 20));
        assertEquals("more than " + MappingFile.MAX_BYTES + " bytes, more than the 16 MiB a mapping may have", e.getMessage());
    }

    @Test
    public void readsLeaveTheTimerAndOneAtATime() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        plugin.reads = queued::add; // reads that have not run yet: as if blocked
        write(json(entry(B, "10.0.0.2", 6081, null)));
        SearchInstance s = started();
        ctx.take();
        write(json(entry(B, "10.0.0.3", 6081, null)));
        ctx.tick();
        assertEquals("the timer read nothing", List.of(), ctx.take());
        assertEquals(1, queued.size());
        ctx.tick();
        assertEquals("no second read while one is under way", 1, queued.size());
        queued.remove(0).run();
        assertEquals(List.of("set " + B + " 10.0.0.3:6081"), ctx.take());
        s.stop(); // never waits for a read
    }

    @Test
    public void theConfigMustBeAnAbsolutePath() {
        assertEquals("files/config: 'map.json' is not an absolute path", assertThrows(PropertyException.class,
                () -> plugin.create(ctx, PropertyValues.validate(plugin.properties(), Map.of("files/config", "map.json")))).getMessage());
        String missing = assertThrows(PropertyException.class, () -> PropertyValues.validate(plugin.properties(), Map.of())).getMessage();
        assertTrue(missing, missing.contains("files/config"));
    }
}
