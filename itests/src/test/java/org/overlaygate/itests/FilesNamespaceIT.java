package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping): two appliances, each in a host namespace of its own, whose Geneve
 * overlays know each other only through one files mapping (search {@code files}): three VMs ping
 * across them, ARP answered by proxy and nothing flooded. Then, while pings run, the file is
 * rewritten as an operator would (a temporary file renamed over it): a VM moves to another
 * underlay address and the file follows it; a broken version degrades every overlay with the file,
 * line and reason and changes nothing; the good version heals them. The ping to the VM that never
 * moved loses nothing throughout, and the appliance it runs through looks nothing up again: only
 * the moved MAC was touched, and re-pointed in place. Last, broadcast other than ARP is counted and
 * not sent, and a MAC removed from the file is forgotten and then dropped as not in it.
 */
public class FilesNamespaceIT {
    private static final String RED = "02:08:20:00:84:01";
    private static final String BLUE = "02:08:20:00:84:02";
    private static final String GREEN = "02:08:20:00:84:03";

    private Path file;
    private int versions;

    private static String mapping(String greenAt, String extra) {
        return mapping(greenAt, extra, true);
    }

    private static String mapping(String greenAt, String extra, boolean withBlue) {
        return "{\n"
                + "  \"" + RED + "\":   { \"ip\": \"10.63.0.1\", \"port\": 6081, \"arp\": \"192.168.84.1\" },\n"
                + (withBlue ? "  \"" + BLUE + "\":  { \"ip\": \"10.63.0.2\", \"port\": 6081, \"arp\": \"192.168.84.2\" },\n" : "")
                + "  \"" + GREEN + "\": { \"ip\": \"" + greenAt + "\", \"port\": 6081, \"arp\": \"192.168.84.3\"" + extra + " }\n"
                + "}\n";
    }

    /** Writes the mapping as editors and configuration tools do: a temporary file renamed over it. */
    private void write(String text) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + versions++);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String target(Distribution dist, String overlay, String mac) throws Exception {
        for (String line : dist.adm("overlay:show", "-t", "-p", "-o", "target,state,destination", overlay).split("\n")) {
            if (line.startsWith(mac.replace(":", "\\:") + ":")) {
                return line.substring(mac.replace(":", "\\:").length() + 1);
            }
        }
        return "none";
    }

    private static String status(Distribution dist, String overlay) throws Exception {
        return dist.adm("overlay:show", "-f", "-p", "-o", "status,details", overlay).trim();
    }

    @Test
    public void vmsPingThroughAFilesMappingThatIsRewrittenWhileTheyDo() throws Exception {
        SystemTests.assumeSystem("FilesNamespaceIT", "ping");
        Path dir = Files.createTempDirectory("files-it");
        file = dir.resolve("overlay-files.json");
        write(mapping("10.63.0.2", ""));
        try (Netns hostA = TestNetwork.quiet("ogfha"); Netns hostB = TestNetwork.quiet("ogfhb"); Netns red = TestNetwork.quiet("ogfvr");
                Netns blue = TestNetwork.quiet("ogfvb"); Netns green = TestNetwork.quiet("ogfvg"); Distribution distA = Distribution.copy();
                Distribution distB = Distribution.copy()) {
            TestNetwork.cable(hostA, "10.63.0.1", hostB, "10.63.0.2", "10.63.0.3");
            distA.startIn(hostA);
            distB.startIn(hostB);
            distA.awaitReady(60_000);
            distB.awaitReady(60_000);
            String config = "files/config=" + file;
            distA.adm("overlay:create", "-e", "geneve", "-s", "files", "-v", "4300", "-p", "geneve/listen_ip=10.63.0.1", "-p", config, "fa");
            distB.adm("overlay:create", "-e", "geneve", "-s", "files", "-v", "4300", "-p", "geneve/listen_ip=10.63.0.2", "-p", config, "fb");
            distB.adm("overlay:create", "-e", "geneve", "-s", "files", "-v", "4300", "-p", "geneve/listen_ip=10.63.0.3", "-p", config, "fc");
            distA.adm("vnic:create", "-l", "fa", "-m", RED, "-t", "rtap", "red");
            distB.adm("vnic:create", "-l", "fb", "-m", BLUE, "-t", "btap", "blue");
            distB.adm("vnic:create", "-l", "fb", "-m", GREEN, "-t", "gtap", "green");
            TestNetwork.plug(hostA, "rtap", red, "192.168.84.1/24");
            TestNetwork.plug(hostB, "btap", blue, "192.168.84.2/24");
            TestNetwork.plug(hostB, "gtap", green, "192.168.84.3/24");

            for (String to : new String[] {"192.168.84.2", "192.168.84.3"}) {
                Netns.Result ping = red.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", to);
                assertEquals("red -> " + to + " through the files mapping: " + ping, 0, ping.exitCode);
            }
            assertEquals("valid:10.63.0.2\\:6081", target(distA, "fa", BLUE));
            assertEquals("valid:10.63.0.2\\:6081", target(distA, "fa", GREEN));
            assertTrue("ARP answered by proxy", TestNetwork.event(distA, "fa", "proxied") >= 1);
            assertEquals("ONLINE:--", status(distA, "fa"));

            TestNetwork.Ping toBlue = TestNetwork.Ping.start(red, "192.168.84.2", 0.1);
            TestNetwork.Ping toGreen = TestNetwork.Ping.start(red, "192.168.84.3", 0.1);
            Await.until("the pings to run", 10_000, Await.check(() -> toBlue.replies() >= 3 && toGreen.replies() >= 3));
            long misses = TestNetwork.linkCounter(distA, "fa", "MISSES");

            // Green moves to B's other underlay address (overlay fc), then the file says so.
            distB.adm("vnic:delete", "green");
            distB.adm("vnic:create", "-l", "fc", "-m", GREEN, "-t", "gtap2", "green2");
            TestNetwork.plug(hostB, "gtap2", green, "192.168.84.3/24");
            long written = System.nanoTime();
            write(mapping("10.63.0.3", ""));
            Await.until("fa to re-point green", 5_000, Await.check(() -> target(distA, "fa", GREEN).equals("valid:10.63.0.3\\:6081")));
            long applyMillis = (System.nanoTime() - written) / 1_000_000;
            System.out.println("FilesNamespaceIT: the move was in force on fa " + applyMillis + " ms after the file was renamed into place");
            int before = toGreen.replies();
            Await.until("red's ping to reach green at its new place", 10_000, Await.check(() -> toGreen.replies() > before + 3));
            assertEquals("blue untouched", "valid:10.63.0.2\\:6081", target(distA, "fa", BLUE));

            // A broken version: everything stays as it was, and every overlay says why.
            write(mapping("10.63.0.3", ", \"prot\": 6081"));
            String expected = "file " + file + ", line 4\\: unknown key \"prot\" in " + GREEN.replace(":", "\\:");
            Await.until("fa, fb and fc degraded by the broken version", 5_000, Await.check(() ->
                    status(distA, "fa").contains(expected) && status(distB, "fb").contains(expected) && status(distB, "fc").contains(expected)));
            String degraded = status(distA, "fa");
            assertTrue(degraded, degraded.startsWith("DEGRADED:") && degraded.endsWith("; the last good version stays in force"));
            int during = toBlue.replies();
            Await.until("pings to go on while the file is broken", 10_000, Await.check(() -> toBlue.replies() >= during + 20));
            assertEquals("valid:10.63.0.3\\:6081", target(distA, "fa", GREEN));

            write(mapping("10.63.0.3", ""));
            Await.until("every overlay healed", 5_000, Await.check(() -> status(distA, "fa").equals("ONLINE:--")
                    && status(distB, "fb").equals("ONLINE:--") && status(distB, "fc").equals("ONLINE:--")));

            PingLog blueCount = toBlue.stop();
            PingLog greenCount = toGreen.stop();
            System.out.println("FilesNamespaceIT: red -> blue (never moved) " + blueCount + "; red -> green (moved) " + greenCount);
            blueCount.assertNoneLost("red -> blue, while the file was rewritten, moved, broken and fixed");
            assertEquals("fa looked nothing up again: only the moved MAC was touched, re-pointed in place", misses,
                    TestNetwork.linkCounter(distA, "fa", "MISSES"));
            assertEquals("one MAC moved", 1, TestNetwork.event(distA, "fa", "moved"));
            assertEquals("nothing invalidated on fa", 0, TestNetwork.event(distA, "fa", "invalidated"));

            // Broadcast other than ARP goes nowhere, counted; a MAC removed from the file is forgotten, then dropped.
            long noFlood = TestNetwork.drops(distA, "red", "no_flood_target");
            red.exec("ping", "-b", "-c", "1", "-W", "1", "192.168.84.255");
            Await.until("the broadcast ping counted as no_flood_target", 5_000,
                    Await.check(() -> TestNetwork.drops(distA, "red", "no_flood_target") > noFlood));
            write(mapping("10.63.0.3", "", false));
            Await.until("blue forgotten on fa", 5_000, Await.check(() -> target(distA, "fa", BLUE).equals("none")));
            Netns.Result gone = red.exec("ping", "-c", "1", "-W", "1", "192.168.84.2");
            assertTrue("blue is no longer reachable: " + gone, gone.exitCode != 0);
            Await.until("blue dropped as not in the file", 5_000, Await.check(() -> target(distA, "fa", BLUE).equals("drop:drop")
                    && TestNetwork.drops(distA, "fa", "not_in_file") >= 1));
        } finally {
            try (var paths = Files.list(dir)) {
                paths.forEach(p -> p.toFile().delete());
            }
            Files.delete(dir);
        }
    }
}
