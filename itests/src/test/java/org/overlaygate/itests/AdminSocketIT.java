package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * The admin socket of the built distribution as an attacker on the same host meets it: another
 * user racing the start under {@code umask 000}, a raw client sending Gogo expressions and
 * built-ins, oversized and idle requests; and as an operator uses it: bundle listing and update
 * by id, one-line errors, a log no argument can forge.
 */
public class AdminSocketIT {
    private static final long START_MS = 60_000;
    private static final int NOBODY = 65534;

    /** Skips, saying why, unless this runs as root with setpriv (CI does: ./test.sh runs as root). */
    private static void assumeRootWithSetpriv(String test) {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean setpriv = Files.isExecutable(Paths.get("/usr/bin/setpriv"));
        if (!root || !setpriv) {
            org.overlaygate.testsupport.Netns.skipOrFail(test, "needs root and /usr/bin/setpriv (util-linux) to run a client as another user;"
                    + " CI runs it as root");
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    public void anotherUserNeverGetsInEvenWithUmask000() throws Exception {
        assumeRootWithSetpriv("AdminSocketIT.anotherUserNeverGetsInEvenWithUmask000");
        Path probeDir = Files.createTempDirectory("og-probe");
        try (Distribution dist = Distribution.copy()) {
            // Others may walk to run/ (as on a real host with the distribution under /opt): only run/ and the socket guard it.
            Files.setPosixFilePermissions(dist.home, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path classFile = probeDir.resolve("org/overlaygate/itests/AdminSocketProbe.class");
            Files.createDirectories(classFile.getParent());
            try (InputStream in = AdminSocketProbe.class.getResourceAsStream("AdminSocketProbe.class")) {
                Files.copy(in, classFile);
            }
            try (Stream<Path> files = Files.walk(probeDir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            Path ready = probeDir.resolve("ready");
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Process probe = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--",
                    java, "-cp", probeDir.toString(), AdminSocketProbe.class.getName(), dist.socket().toString(), ready.toString(), "500")
                    .redirectErrorStream(true).start();
            BufferedReader probeOut = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("the probe runs before the appliance starts", "probing", probeOut.readLine());

            Distribution.Result started = dist.run("sh", "-c", "umask 000; exec '" + dist.home.resolve("bin/overlaygate") + "' --daemon");
            assertEquals(started.toString(), 0, started.status);
            dist.awaitReady(START_MS);
            Files.createFile(ready);
            assertTrue("the probe finished", probe.waitFor(120, TimeUnit.SECONDS));
            String outcomes = probeOut.readLine();
            assertFalse("another user connected: " + outcomes, outcomes.contains("connected") || outcomes.contains("answered"));
            assertTrue("the probe was refused while the socket existed: " + outcomes, outcomes.matches(".*denied=\\d{3,}.*"));

            assertEquals("rwx------", mode(dist.home.resolve("run")));
            assertEquals("rw-------", mode(dist.socket()));
            try (Stream<Path> files = Files.walk(dist.home.resolve("data"))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    assertEquals(p.toString(), Files.isDirectory(p) ? "rwx------" : "rw-------", mode(p));
                }
            }
            try (Stream<Path> logs = Files.list(dist.home.resolve("log"))) { // log/ itself the test's copy made
                for (Path p : (Iterable<Path>) logs::iterator) {
                    assertEquals(p.toString(), "rw-------", mode(p));
                }
            }
            Distribution.Result other = dist.run("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--",
                    dist.home.resolve("bin/overlayadm").toString(), "overlay:plugins");
            assertEquals(other.toString(), 2, other.status);
            assertTrue(other.err, other.err.startsWith("overlayadm: permission denied on " + dist.socket()));
        } finally {
            org.overlaygate.testsupport.DistributionCopy.delete(probeDir);
        }
    }

    @Test
    public void onlyTheAppliancesCommandsRunWithLiteralArguments() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            Process appliance = dist.start();
            dist.awaitReady(START_MS);

            String lb = dist.adm("felix:lb", "-s");
            String id = lb.lines().filter(l -> l.contains("org.overlaygate.search.direct")).map(l -> l.split("\\|")[0].trim())
                    .findFirst().orElseThrow(() -> new AssertionError("no search-direct bundle in\n" + lb));
            assertEquals("felix:update ID works through overlayadm", "", dist.adm("felix:update", id));
            assertTrue(dist.log(), dist.log().contains("overlayadm: felix:update " + id));
            awaitPlugins(dist, "search\\s+direct\\s+point\\s+org.overlaygate.search.direct\\s+\\S+\\s+ACTIVE");
            assertTrue(dist.adm("help"), dist.adm("help").contains("overlay:create"));

            expectRefused(dist, "felix:install is not available through overlayadm", "felix:install", "file:/nonexistent/x.jar");
            expectRefused(dist, "felix:ls is not available through overlayadm", "felix:ls", "/root");
            expectRefused(dist, "scr:disable is not available through overlayadm", "scr:disable", "org.overlaygate.admin.AdminSocketServer");
            expectRefused(dist, "'(' outside quotes: overlayadm runs one command with literal arguments",
                    "((((($.context bundles) 0) loadclass java.lang.Runtime) getMethod getRuntime) invoke null) exec \"touch /tmp/og-pwned\"");
            assertFalse(Files.exists(Paths.get("/tmp/og-pwned")));
            expectRefused(dist, "felix:update: bundle 0 (org.apache.felix.framework) is not one of the appliance's own", "felix:update", "0");
            expectRefused(dist, "vxlan/listen_ip: '%' is not an IP address", "overlay:create", "-e", "vxlan", "-s", "direct", "-v", "1",
                    "-p", "vxlan/listen_ip=%", "-p", "direct/dest_ip=127.0.0.2", "-p", "direct/dest_port=1", "pct");
            expectRefused(dist, "property 'a", "overlay:create", "-e", "vxlan", "-s", "direct", "-v", "1", "-p", "a\nINFO forged line", "nl");
            assertTrue("the log keeps the newline escaped", dist.log().contains("-p \"a\\nINFO forged line\" nl"));
            assertFalse("no line of the log begins with the forged text", dist.log().lines().anyMatch(l -> l.startsWith("INFO forged")));

            int port = SystemTests.freeUdpPort("127.0.0.1");
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "7", "-p", "vxlan/listen_ip=127.0.0.1", "-p",
                    "vxlan/listen_port=" + port, "-p", "direct/dest_ip=127.0.0.2", "-p", "direct/dest_port=4789", "snp");
            // -w writes only a plain name into the appliance's capture directory: never a path of the caller's choosing
            for (String path : List.of("/nonexistent/dir/x.pcap", "../etc/config.properties", "../../plugins.d/evil.jar")) {
                expectRefused(dist, "-w takes a file name only (letters, digits, '.', '_', '-'; no '/' or '..'), written into ",
                        "overlay:snoop", "-c", "1", "-t", "1", "-w", path, "snp");
            }
            assertFalse(Files.exists(dist.home.resolve("plugins.d/evil.jar")));
            Path captures = dist.home.resolve("data/snoop");
            Files.writeString(captures, "not a directory"); // an unwritable capture file: one line, no stack trace
            expectRefused(dist, "snoop failed: cannot write ", "overlay:snoop", "-c", "1", "-t", "1", "-w", "x.pcap", "snp");
            Files.delete(captures);

            Distribution.Result big = dist.overlayadm("overlay:show", "x".repeat(70_000));
            assertEquals(big.toString(), 1, big.status);
            assertEquals("overlayadm: the command line is 70013 bytes; the appliance takes at most 65536\n", big.err);
            try (SocketChannel raw = connect(dist)) {
                ByteBuffer request = ByteBuffer.allocate(4 + 70_000).putInt(70_000);
                raw.write(request.flip());
                assertEquals("request of 70000 bytes refused: the limit is 65536 bytes\n", errorOf(raw));
            }

            dist.stop(appliance);
            assertFalse("no stack trace in the log:\n" + dist.log(), dist.log().contains("\tat "));
        }
    }

    @Test
    public void idleConnectionsTimeOutAndTheOneOverTheLimitIsToldBusy() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            dist.start();
            dist.awaitReady(START_MS);
            List<SocketChannel> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) { // the appliance's limit
                    idle.add(connect(dist));
                }
                Distribution.Result busy = dist.overlayadm("overlay:plugins");
                assertEquals(busy.toString(), 1, busy.status);
                assertEquals("appliance busy: 64 overlayadm connections open; try again\n", busy.err);
                long idleSince = System.nanoTime();
                for (SocketChannel c : idle) {
                    assertEquals("no complete request within 5000 ms; closing\n", errorOf(c));
                }
                Distribution.Result served;
                do {
                    served = dist.overlayadm("overlay:plugins");
                } while (served.status != 0 && System.nanoTime() - idleSince < TimeUnit.SECONDS.toNanos(30));
                assertEquals(served.toString(), 0, served.status);
                System.out.printf("AdminSocketIT: 64 idle connections held the socket for %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince));
            } finally {
                for (SocketChannel c : idle) {
                    c.close();
                }
            }
        }
    }

    private static SocketChannel connect(Distribution dist) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(dist.socket()));
        return ch;
    }

    /** Reads the answer frames of a raw connection and returns its stderr text, checking it exits 1. */
    private static String errorOf(SocketChannel ch) throws Exception {
        DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
        StringBuilder err = new StringBuilder();
        while (true) {
            int type = in.readUnsignedByte();
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            if (type == 3) {
                assertEquals(1, ByteBuffer.wrap(b).getInt());
                return err.toString();
            }
            err.append(new String(b, StandardCharsets.UTF_8));
        }
    }

    private static void expectRefused(Distribution dist, String prefix, String... args) throws Exception {
        Distribution.Result r = dist.overlayadm(args);
        assertEquals(r.toString(), 1, r.status);
        assertTrue(r.toString(), r.err.startsWith(prefix));
        assertEquals("one line: " + r, 1, r.err.split("\n", -1).length - 1);
    }

    private static void awaitPlugins(Distribution dist, String lineRegex) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String listing;
        do {
            listing = dist.adm("overlay:plugins");
            if (listing.lines().anyMatch(l -> l.matches(lineRegex))) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no plugin line " + lineRegex + " within 10 s:\n" + listing);
    }
}
