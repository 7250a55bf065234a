package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The katar server in the built distribution, used as an operator would: start the katar profile,
 * import a JSON file of mappings with bin/overlayadm, ask for one with bin/katar-client; then
 * change mappings, kill the appliance with SIGKILL, start it again and find everything there.
 */
public class KatarDistributionIT {
    private static final long START_MS = 60_000;
    static final String MAPPINGS = "{\n"
            + "  \"vnets\": [ { \"id\": 42, \"name\": \"blue\" } ],\n"
            + "  \"hosts\": [ { \"id\": \"cn1\", \"ip\": \"10.88.0.1\" },\n"
            + "             { \"id\": \"cn2\", \"ip\": \"10.88.0.2\", \"port\": 4789 } ],\n"
            + "  \"mappings\": [\n"
            + "    { \"vnet\": 42, \"mac\": \"02:08:20:00:00:01\", \"host\": \"cn1\", \"ips\": [ \"192.168.1.10\" ] },\n"
            + "    { \"vnet\": 42, \"mac\": \"02:08:20:00:00:02\", \"host\": \"cn2\", \"vlan\": 5, \"ips\": [ \"192.168.1.20\", \"fd00::20\" ] }\n"
            + "  ]\n"
            + "}\n";

    /** A free loopback port, written into the copy's etc/config.properties as the katar port. */
    static int useFreePort(Distribution dist) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dist.home.resolve("etc/config.properties");
        String text = Files.readString(config, StandardCharsets.UTF_8);
        assertTrue("etc/config.properties sets the katar port", text.contains("\noverlaygate.katar.port=1296\n"));
        Files.writeString(config, text.replace("\noverlaygate.katar.port=1296\n", "\noverlaygate.katar.port=" + port + "\n"));
        return port;
    }

    /**
     * Waits for the admin socket, then for the katar server: it opens (and migrates) its database
     * in the background, so the commands answer "starting" for a moment after the socket is up.
     */
    static void awaitKatar(Distribution dist) throws Exception {
        dist.awaitReady(START_MS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MS);
        Distribution.Result r;
        do {
            r = dist.overlayadm("katar:show", "server");
            if (r.status == 0 && r.out.lines().anyMatch(l -> l.matches("\\S+\\s+online\\s+.*"))) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("katar server not online within " + START_MS + " ms: " + r + "\nlog:\n" + dist.log());
    }

    @Test
    public void newUserStartsTheKatarProfileImportsMappingsAndAsksForOne() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            int port = useFreePort(dist);
            String server = "127.0.0.1:" + port;
            Path file = dist.home.resolve("mappings.json");
            Files.writeString(file, MAPPINGS);
            Process appliance = dist.start("--profile", "katar");
            awaitKatar(dist);

            Distribution.Result imported = dist.overlayadm("katar:import", file.toString());
            assertEquals(imported.toString(), 0, imported.status);
            assertEquals("imported 1 vnet(s), 2 host(s), 2 mapping(s): 5 added, 0 changed, 0 unchanged; 0 invalidation(s) logged\n",
                    imported.out);
            Distribution.Result again = dist.overlayadm("katar:import", file.toString());
            assertTrue(again.out, again.out.contains("0 added, 0 changed, 5 unchanged"));

            Distribution.Result vl2 = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "vl2", "42", "02:08:20:00:00:01");
            assertEquals(vl2.toString(), 0, vl2.status);
            assertEquals("VNET  MAC                UNDERLAY\n42    02:08:20:00:00:01  10.88.0.1:4789\n", vl2.out);
            Distribution.Result vl3 = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "vl3", "42", "fd00::20");
            assertEquals(vl3.toString(), 0, vl3.status);
            assertTrue(vl3.out, vl3.out.lines().anyMatch(l -> l.matches("42\\s+fd00::20\\s+02:08:20:00:00:02\\s+10.88.0.2:4789")));
            Distribution.Result none = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "vl2", "42", "02:08:20:00:00:09");
            assertEquals(none.toString(), 1, none.status);
            assertEquals("katar-client: vnet 42 mac 02:08:20:00:00:09: NOTFOUND\n", none.err);
            Distribution.Result ping = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "ping");
            assertEquals(ping.toString(), 0, ping.status);

            Distribution.Result show = dist.overlayadm("katar:show");
            assertEquals(show.toString(), 0, show.status);
            assertTrue(show.out, show.out.lines().anyMatch(l -> l.matches("127.0.0.1:" + port + "\\s+online\\s+h2 .*\\(embedded\\)\\s+\\d+\\s+.*")));
            assertTrue(show.out, show.out.lines().anyMatch(l -> l.matches("42\\s+02:08:20:00:00:02\\s+cn2\\s+10.88.0.2:4789\\s+5\\s+192.168.1.20,fd00::20")));

            Distribution.Result bad = dist.overlayadm("katar:map-add", "42", "zz", "cn1");
            assertEquals(bad.toString(), 1, bad.status);
            assertEquals("bad MAC address 'zz': expected six octets like 02:08:20:aa:bb:cc\n", bad.err);
            Distribution.Result typo = dist.overlayadm("katar:import", "missing.json");
            assertEquals(1, typo.status);
            assertTrue(typo.err, typo.err.startsWith("no file ") && typo.err.lines().count() == 1);

            Distribution.Result noDataPath = dist.overlayadm("overlay:plugins");
            assertEquals("the katar profile leaves varpd out", 1, noDataPath.status);

            appliance.destroy(); // SIGTERM
            assertTrue(appliance.waitFor(30, TimeUnit.SECONDS));
            assertTrue(dist.log(), dist.log().contains("katar server on "));
            String console = dist.console(0);
            assertFalse("no stack trace on the console:\n" + console, console.contains("\tat "));
            assertFalse("every bundle of the profile started:\n" + console, console.contains("failed to start"));
        }
    }

    @Test
    public void mappingsSurviveSigkill() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            int port = useFreePort(dist);
            String server = "127.0.0.1:" + port;
            Path file = dist.home.resolve("mappings.json");
            Files.writeString(file, MAPPINGS);
            Process first = dist.start("--profile", "katar");
            awaitKatar(dist);
            assertEquals(0, dist.overlayadm("katar:import", file.toString()).status);
            assertEquals(0, dist.overlayadm("katar:host-add", "cn3", "10.88.0.3").status);
            assertEquals(0, dist.overlayadm("katar:map-add", "-i", "192.168.1.30", "42", "02:08:20:00:00:03", "cn3").status);
            Distribution.Result moved = dist.overlayadm("katar:map-move", "42", "02:08:20:00:00:01", "cn2");
            assertEquals(moved.toString(), 0, moved.status);
            assertEquals("vnet 42 mac 02:08:20:00:00:01 moved from host cn1 to cn2, 6 invalidation(s) logged\n", moved.out);
            assertEquals(0, dist.overlayadm("katar:map-remove", "42", "02:08:20:00:00:02").status);
            String before = dist.overlayadm("katar:show", "mappings").out;

            first.destroyForcibly(); // SIGKILL, right after the last write returned
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, first.exitValue());

            Process second = dist.start("--profile", "katar");
            awaitKatar(dist);
            Distribution.Result after = dist.overlayadm("katar:show", "mappings");
            assertEquals(after.toString(), 0, after.status);
            assertEquals("every mapping is back", before, after.out);
            Distribution.Result vl2 = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "vl2", "42", "02:08:20:00:00:01");
            assertEquals(vl2.toString(), 0, vl2.status);
            assertTrue(vl2.out, vl2.out.contains("10.88.0.2:4789"));
            Distribution.Result gone = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "vl2", "42", "02:08:20:00:00:02");
            assertEquals("the removal survived too", 1, gone.status);
            // A host's log is its own (issue 23): a client at 127.0.0.1 naming 10.88.0.3 is refused ...
            Distribution.Result log = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", server, "log", "10.88.0.3");
            assertEquals(log.toString(), 1, log.status);
            assertEquals("katar-client: log of 10.88.0.3: NOTFOUND\n", log.err);
            // ... and the operator reads it: cn3's VL2 + VL3 of the move, VL2 + 2 VL3 of the removal
            String hosts = dist.adm("katar:show", "-p", "-o", "HOST", "log");
            assertEquals(hosts, 5, hosts.lines().filter("cn3"::equals).count());

            // A host goes: refused while it owns mappings, unless forced; its log goes with it.
            Distribution.Result refused = dist.overlayadm("katar:host-remove", "cn3");
            assertEquals(refused.toString(), 1, refused.status);
            assertEquals("host cn3 still owns 1 mapping(s) (vnet 42 mac 02:08:20:00:00:03): move or remove them first,"
                    + " or katar:host-remove -f cn3 removes them too\n", refused.err);
            assertEquals("host cn1 removed\n", dist.adm("katar:host-remove", "cn1"));
            assertEquals("host cn3 removed with its 1 mapping(s), 2 invalidation(s) logged\n", dist.adm("katar:host-remove", "-f", "cn3"));
            assertEquals("cn2:1:0\n", dist.adm("katar:show", "-p", "-o", "host,mappings,dropped", "hosts"));
            second.destroy();
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    public void settingsStoredThroughConfigAdminMoveTheServerAndPersist() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            useFreePort(dist);
            int moved;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                moved = s.getLocalPort();
            }
            Process first = dist.start("--profile", "katar");
            awaitKatar(dist);
            Distribution.Result bad = dist.overlayadm("katar:config", "port=http");
            assertEquals(bad.toString(), 1, bad.status);
            assertEquals("katar setting port = 'http' is not a number\n", bad.err);
            Distribution.Result set = dist.overlayadm("katar:config", "port=" + moved);
            assertEquals(set.toString(), 0, set.status);
            String ping = pingUntilAnswered(dist, moved);
            assertTrue(ping, ping.startsWith("PONG"));
            first.destroy();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));

            Process second = dist.start("--profile", "katar");
            awaitKatar(dist);
            assertTrue("the ConfigAdmin setting outlives a restart", pingUntilAnswered(dist, moved).startsWith("PONG"));
            Distribution.Result config = dist.overlayadm("katar:config");
            assertTrue(config.out, config.out.lines().anyMatch(l -> l.matches("port\\s+" + moved + "\\s+config")));
            second.destroy();
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    public void aPasswordNeedsAUrlIsKeptOwnerOnlyAndNeverLogged() throws Exception {
        String secret = "hunter2-" + System.nanoTime();
        try (Distribution dist = Distribution.copy()) {
            useFreePort(dist);
            Process appliance = dist.start("--profile", "katar");
            awaitKatar(dist);
            Distribution.Result alone = dist.overlayadm("katar:config", "jdbc.password=" + secret);
            assertEquals(alone.toString(), 1, alone.status);
            assertTrue(alone.err, alone.err.startsWith("katar settings jdbc.user and jdbc.password need jdbc.url"));
            awaitKatar(dist);

            Distribution.Result set = dist.overlayadm("katar:config", "jdbc.url=jdbc:postgresql://127.0.0.1:1/katar", "jdbc.user=katar",
                    "jdbc.password=" + secret);
            assertEquals(set.toString(), 0, set.status);
            Path file = dist.home.resolve("data/katar/jdbc.password");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(secret + "\n", Files.readString(file, StandardCharsets.UTF_8));
            Distribution.Result config = dist.overlayadm("katar:config");
            assertTrue(config.out, config.out.lines().anyMatch(l -> l.matches("jdbc\\.password\\.file\\s+\\S+/data/katar/jdbc\\.password\\s+config")));
            assertTrue(config.out, config.out.lines().anyMatch(l -> l.matches("jdbc\\.password\\s+\\*\\*\\*\\s+.*")));

            // Issue 23: a URL that runs code or carries a secret is refused in one line, nothing stored.
            Path planted = dist.home.resolve("plugins.d/planted.jar");
            Distribution.Result h2 = dist.overlayadm("katar:config", "jdbc.url=jdbc:h2:mem:x;INIT=CALL FILE_WRITE('504b0304', '" + planted + "')");
            assertEquals(h2.toString(), 1, h2.status);
            assertEquals("katar setting jdbc.url: the embedded H2 database is the appliance's own and not a setting; leave jdbc.url empty"
                    + " for it, or give jdbc:postgresql://HOST:5432/DB\n", h2.err);
            Distribution.Result factory = dist.overlayadm("katar:config",
                    "jdbc.url=jdbc:postgresql://127.0.0.1:1/katar?socketFactory=java.io.FileOutputStream&socketFactoryArg=" + planted);
            assertEquals("katar setting jdbc.url: parameter socketFactory is refused: it makes the driver load code\n", factory.err);
            Distribution.Result inUrl = dist.overlayadm("katar:config", "jdbc.url=jdbc:postgresql://127.0.0.1:1/katar?password=" + secret);
            assertEquals(inUrl.toString(), 1, inUrl.status);
            assertFalse(inUrl.err, inUrl.err.contains(secret));
            assertFalse("nothing written", Files.exists(planted));
            assertTrue("the stored URL is the one before", dist.overlayadm("katar:config").out.lines()
                    .anyMatch(l -> l.matches("jdbc\\.url\\s+jdbc:postgresql://127\\.0\\.0\\.1:1/katar\\s+config")));

            Distribution.Result back = dist.overlayadm("katar:config", "jdbc.url=", "jdbc.user=", "jdbc.password=");
            assertEquals(back.toString(), 0, back.status);
            assertFalse("clearing the password removes its file", Files.exists(file));
            awaitKatar(dist);
            dist.stop(appliance);
            assertFalse("the log never shows the password", dist.log().contains(secret));
            try (java.util.stream.Stream<Path> files = Files.walk(dist.home.resolve("data/config"))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    assertFalse(p + " holds the password", Files.isRegularFile(p) && Files.readString(p, StandardCharsets.ISO_8859_1).contains(secret));
                }
            }
        }
    }

    private static String pingUntilAnswered(Distribution dist, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Distribution.Result r;
        do {
            r = dist.run(dist.home.resolve("bin/katar-client").toString(), "-s", "127.0.0.1:" + port, "-t", "2", "ping");
            if (r.status == 0) {
                return r.out;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return r.toString();
    }
}
