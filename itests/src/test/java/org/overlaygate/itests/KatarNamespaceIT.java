package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping): three hosts, each a network namespace running its own appliance,
 * joined by an underlay bridge in a fourth namespace; the first host also runs the katar server on
 * its underlay address. The mappings are imported from JSON with {@code katar:import}; every host
 * creates one overlay with no configuration beyond {@code katar/host} (and SHOOTDOWN), and one TAP
 * VNIC moved into a VM namespace of its own. The VMs ping each other (ARP answered by proxy from
 * the server). Then VM 3 moves to host 2 as an orchestrator would move it ({@code katar:map-move},
 * then its TAP) while VM 1 pings it every 10 ms; the outage is measured from the ping replies and
 * printed (MEASURED ...). Everything is removed afterwards, also on failure.
 */
public class KatarNamespaceIT {
    private static final String VNET = "4242";
    private static final String[] MACS = {"02:08:20:01:00:01", "02:08:20:01:00:02", "02:08:20:01:00:03"};

    @Test
    public void threeHostsFindEachOtherThroughKatarAndAMovedVmStaysReachable() throws Exception {
        SystemTests.assumeSystem("KatarNamespaceIT", "ping");
        int net = SystemTests.subnet();
        String[] underlay = {"10.201." + net + ".1", "10.201." + net + ".2", "10.201." + net + ".3"};
        List<AutoCloseable> cleanup = new ArrayList<>();
        try {
            Netns switchNs = close(cleanup, Netns.create("ogksw"));
            switchNs.exec("ip", "link", "add", "br0", "type", "bridge").check();
            switchNs.exec("ip", "link", "set", "br0", "up").check();
            Netns[] hosts = new Netns[3];
            Netns[] vms = new Netns[3];
            Distribution[] dists = new Distribution[3];
            for (int i = 0; i < 3; i++) {
                hosts[i] = close(cleanup, Netns.create("ogkh" + (i + 1)));
                vms[i] = close(cleanup, Netns.create("ogkvm" + (i + 1)));
                String port = SystemTests.linkName("ogks");
                String nic = SystemTests.linkName("ogku");
                hosts[i].addVeth(port, nic);
                switchNs.moveIn(port); // the switch end: deleted with the switch's namespace
                switchNs.exec("ip", "link", "set", port, "master", "br0", "up").check();
                hosts[i].exec("ip", "addr", "add", underlay[i] + "/24", "dev", nic).check();
                hosts[i].exec("ip", "link", "set", nic, "up").check();
                dists[i] = close(cleanup, Distribution.copy());
            }
            // Host 1 runs the katar server on its underlay address; the others run theirs as shipped.
            Path config = dists[0].home.resolve("etc/config.properties");
            String text = Files.readString(config, StandardCharsets.UTF_8);
            Files.writeString(config, text.replace("\noverlaygate.katar.listen.address=127.0.0.1\n",
                    "\noverlaygate.katar.listen.address=" + underlay[0] + "\n"));
            for (int i = 0; i < 3; i++) {
                dists[i].startIn(hosts[i]);
            }
            for (Distribution d : dists) {
                d.awaitReady(90_000);
            }
            KatarDistributionIT.awaitKatar(dists[0]);
            Path doc = dists[0].home.resolve("mappings.json");
            Files.writeString(doc, "{\"vnets\":[{\"id\":" + VNET + ",\"name\":\"demo\"}],\"hosts\":["
                    + "{\"id\":\"cn1\",\"ip\":\"" + underlay[0] + "\"},{\"id\":\"cn2\",\"ip\":\"" + underlay[1] + "\"},"
                    + "{\"id\":\"cn3\",\"ip\":\"" + underlay[2] + "\"}],\"mappings\":["
                    + "{\"vnet\":" + VNET + ",\"mac\":\"" + MACS[0] + "\",\"host\":\"cn1\",\"ips\":[\"192.168.50.1\"]},"
                    + "{\"vnet\":" + VNET + ",\"mac\":\"" + MACS[1] + "\",\"host\":\"cn2\",\"ips\":[\"192.168.50.2\"]},"
                    + "{\"vnet\":" + VNET + ",\"mac\":\"" + MACS[2] + "\",\"host\":\"cn3\",\"ips\":[\"192.168.50.3\"]}]}");
            String imported = dists[0].adm("katar:import", doc.toString());
            assertTrue(imported, imported.startsWith("imported 1 vnet(s), 3 host(s), 3 mapping(s)"));

            String[] taps = new String[3];
            for (int i = 0; i < 3; i++) {
                dists[i].adm("overlay:create", "-e", "vxlan", "-s", "katar", "-i", "shootdown", "-v", VNET, "-p",
                        "vxlan/listen_ip=" + underlay[i], "-p", "katar/host=" + underlay[0], "ovl0");
                taps[i] = SystemTests.linkName("ogkt");
                dists[i].adm("vnic:create", "-l", "ovl0", "-m", MACS[i], "-t", taps[i], "vm" + (i + 1));
                plug(hosts[i], vms[i], taps[i], "192.168.50." + (i + 1));
            }
            for (Distribution d : dists) {
                awaitOnline(d);
            }

            for (int from = 0; from < 3; from++) {
                for (int to = 0; to < 3; to++) {
                    if (from != to) {
                        Netns.Result ping = vms[from].exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.50." + (to + 1));
                        assertEquals("vm" + (from + 1) + " -> vm" + (to + 1) + ": " + ping, 0, ping.exitCode);
                    }
                }
            }
            String stats = dists[0].adm("overlay:stats", "ovl0");
            assertTrue(stats, stats.lines().anyMatch(l -> l.matches("ovl0\\s+katar/proxy_answered\\s+[1-9]\\d*")));
            String targets = dists[0].adm("overlay:show", "-t", "ovl0");
            assertTrue(targets, targets.lines().anyMatch(l -> l.matches("ovl0\\s+" + MACS[2] + "\\s+valid\\s+katar\\s+\\S+\\s+"
                    + Pattern.quote(underlay[2]) + ":4789")));

            // VM 3 moves from host 3 to host 2 while VM 1 pings it every 10 ms.
            File pingLog = File.createTempFile("katar-move-ping", ".log");
            cleanup.add(pingLog::delete);
            Process ping = vms[0].start(pingLog, "ping", "-D", "-O", "-i", "0.01", "-W", "1", "-w", "25", "192.168.50.3");
            awaitReplies(pingLog, 50);
            String moved = dists[0].adm("katar:map-move", VNET, MACS[2], "cn2");
            assertTrue(moved, moved.contains("moved from host cn3 to cn2"));
            long vmGone = System.currentTimeMillis();
            dists[2].adm("vnic:delete", "vm3");
            String tap = SystemTests.linkName("ogkt");
            dists[1].adm("vnic:create", "-l", "ovl0", "-m", MACS[2], "-t", tap, "vm3");
            plug(hosts[1], vms[2], tap, "192.168.50.3");
            long vmBack = System.currentTimeMillis();
            int before = replies(pingLog).size();
            awaitRepliesAfter(pingLog, vmBack / 1000.0, 100);
            ping.destroy();
            ping.waitFor();

            List<double[]> replies = replies(pingLog);
            double longestGap = 0;
            double gapStart = 0;
            for (int i = 1; i < replies.size(); i++) {
                double gap = replies.get(i)[0] - replies.get(i - 1)[0];
                if (gap > longestGap) {
                    longestGap = gap;
                    gapStart = replies.get(i - 1)[0];
                }
            }
            long outageMs = Math.round(longestGap * 1000);
            long afterTapUp = Math.round((firstReplyAfter(replies, gapStart) - vmBack / 1000.0) * 1000);
            String host1 = dists[0].adm("overlay:stats", "ovl0");
            String host3 = dists[2].adm("overlay:stats", "ovl0");
            System.out.println("MEASURED katar VM move across namespaces (map-move, TAP deleted on host 3, created on host 2): "
                    + "longest gap in VM 1's 10 ms pings " + outageMs + " ms; the move itself (vnic:delete on host 3, vnic:create on"
                    + " host 2, the TAP into the VM and up) took " + (vmBack - vmGone) + " ms, and VM 3 answered " + afterTapUp
                    + " ms after its new TAP was up; shootdowns sent by host 3: "
                    + event(host3, "shootdowns_sent") + ", applied by host 1: " + event(host1, "shootdowns_applied"));
            assertTrue("VM 3 answers again at its new host: " + replies.size() + " replies, " + before + " before the move",
                    replies.size() > before + 50);
            // The outage is a figure for the notes (docs/katar.md), not an assertion a loaded machine
            // would break; what must hold is that host 1 was told, by SHOOTDOWN or by its log.
            assertTrue(host1, event(host1, "shootdowns_applied") + event(host1, "katar/log_vl2_applied") >= 1);
        } finally {
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                try {
                    cleanup.get(i).close();
                } catch (Exception e) {
                    System.err.println("cleanup: " + e);
                }
            }
        }
    }

    private static <T extends AutoCloseable> T close(List<AutoCloseable> cleanup, T c) {
        cleanup.add(c);
        return c;
    }

    /** Moves a TAP the appliance made in its host's namespace into a VM's, with the VM's address. */
    private static void plug(Netns host, Netns vm, String tap, String ip) throws Exception {
        host.exec("ip", "link", "set", tap, "netns", vm.name()).check();
        vm.exec("ip", "addr", "add", ip + "/24", "dev", tap).check();
        vm.exec("ip", "link", "set", tap, "up").check();
    }

    private static void awaitOnline(Distribution d) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String last;
        do {
            last = d.adm("overlay:show", "-f", "-p", "-o", "link,status");
            if (last.equals("ovl0:ONLINE\n")) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("ovl0 not ONLINE within 30 s: " + d.adm("overlay:show", "-f", "ovl0"));
    }

    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from [^:]+: icmp_seq=(\\d+) .*");

    /** The replies in a {@code ping -D} log: (time in s, icmp_seq). */
    private static List<double[]> replies(File log) throws Exception {
        List<double[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(log.toPath(), StandardCharsets.UTF_8)) {
            Matcher m = REPLY.matcher(line);
            if (m.matches()) {
                out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
            }
        }
        return out;
    }

    private static double firstReplyAfter(List<double[]> replies, double t) {
        for (double[] r : replies) {
            if (r[0] > t) {
                return r[0];
            }
        }
        return Double.NaN;
    }

    private static void awaitReplies(File log, int n) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (replies(log).size() < n) {
            assertTrue("ping got " + replies(log).size() + " replies: " + Files.readString(log.toPath()), System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitRepliesAfter(File log, double t, int n) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (replies(log).stream().filter(r -> r[0] > t).count() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static long event(String stats, String name) {
        return stats.lines().filter(l -> l.matches("ovl0\\s+" + Pattern.quote(name) + "\\s+\\d+"))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[2])).sum();
    }
}
