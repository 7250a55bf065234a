package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, arping, tshark): the user's headline promise with real TAP VNICs. Two
 * appliances in two namespaces, joined by a veth and one flood-and-learn overlay in a multicast
 * group, carry a ping flood (one echo every 5 ms), a flood of broadcast pings (Ethernet broadcast
 * every 5 ms, answered by unicast) and broadcast ARP requests (arping, every second) between their
 * VMs while, on both, the search-multicast jar is taken out of plugins.d and put back, and
 * varpd is updated through {@code bin/overlayadm felix:update}: not one echo, broadcast or not,
 * and not one ARP reply is lost, and the underlay sees no IGMP leave (issue 17: a new varpd used to reset what it
 * adopted, emptying the flood targets and leaving the group).
 */
public class PingFloodContinuityIT {
    private static final int VNI = 6161;
    private static final long WITHIN_MS = 20_000;
    private static final Pattern VARPD = Pattern.compile("(?m)^\\s*(\\d+)\\s*\\|\\s*Active\\s*\\|.*org\\.overlaygate\\.varpd\\b.*$");

    private static String awaitAdm(Distribution d, Predicate<String> until, String what, String... args) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WITHIN_MS);
        String last = "";
        while (System.nanoTime() < deadline) {
            Distribution.Result r = d.overlayadm(args);
            last = r.out + r.err;
            if (r.status == 0 && until.test(r.out)) {
                return r.out;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("within " + WITHIN_MS + " ms: " + what + "; last output of overlayadm " + String.join(" ", args) + ":\n"
                + last);
    }

    /** The highest icmp_seq answered so far in a ping log. */
    private static int lastSequence(File log) throws java.io.IOException {
        Matcher m = Pattern.compile("icmp_seq=(\\d+)").matcher(Files.readString(log.toPath()));
        int last = 0;
        while (m.find()) {
            last = Math.max(last, Integer.parseInt(m.group(1)));
        }
        return last;
    }

    /** Checks a ping flood's log, stopped by SIGINT (see {@link PingLog#assertNoneLost}). */
    private static void assertNoneLost(String what, File log) throws java.io.IOException {
        PingLog ping = PingLog.parse(Files.readString(log.toPath()));
        log.delete();
        System.out.println("PingFloodContinuityIT: " + what + ": " + ping);
        ping.assertNoneLost(what + ", across both hosts' replacements");
    }

    /** ARP replies arping has printed so far. */
    private static long arpReplies(File log) throws java.io.IOException {
        return Files.readString(log.toPath()).lines().filter(l -> l.contains("reply from")).count();
    }

    /**
     * The captured IGMP messages (tshark fields: type, record types, group addresses) that leave
     * {@code group}: an IGMPv2 leave (type 0x17), or an IGMPv3 report whose record for the group
     * changes it to INCLUDE mode (record type 3, no sources: leaving).
     */
    private static List<String> leaves(String capture, String group) {
        List<String> out = new ArrayList<>();
        for (String line : capture.lines().toArray(String[]::new)) {
            String[] f = line.split("\t", -1);
            if (f.length < 3) {
                continue;
            }
            String[] types = f[1].split(",");
            String[] groups = f[2].split(",");
            if (f[0].equals("0x17") && f[2].contains(group)) {
                out.add(line);
            }
            for (int i = 0; i < types.length && i < groups.length; i++) {
                if (f[0].equals("0x22") && types[i].equals("3") && groups[i].equals(group)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    @Test
    public void aPingFloodLosesNothingWhileTheSearchJarAndVarpdAreReplacedOnBothHosts() throws Exception {
        SystemTests.assumeSystem("PingFloodContinuityIT", "ping", "arping", "tshark");
        int net = SystemTests.subnet();
        String group = "239.3." + net + ".1";
        String underlay = "10.194." + net + ".";
        try (TestHosts hosts = TestHosts.create("ogflood", underlay + "1/24", underlay + "2/24")) {
            Distribution[] appliances = new Distribution[2];
            for (int i = 0; i < 2; i++) {
                Distribution d = hosts.startAppliance(i);
                appliances[i] = d;
                d.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlay + (i + 1),
                        "-p", "multicast/group=" + group, "-p", "multicast/interface=" + TestNetwork.UNDERLAY, "ovl");
                d.adm("vnic:create", "-l", "ovl", "-t", "vm" + i, "vnic");
                hosts.plugVm(i, "vm" + i, "192.168.82." + (i + 1) + "/24");
            }
            Netns.Result warm = hosts.host(0).exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.82.2");
            assertEquals("the overlay works before the flood: " + warm, 0, warm.exitCode);

            File igmpLog = File.createTempFile("igmp", ".log");
            Process igmp = hosts.host(0).start(igmpLog, "tshark", "-l", "-n", "-i", TestNetwork.UNDERLAY, "-f", "igmp", "-T", "fields", "-e",
                    "igmp.type", "-e", "igmp.record_type", "-e", "igmp.maddr");
            Await.until("tshark capturing", WITHIN_MS, Await.check(() -> Files.readString(igmpLog.toPath()).contains("Capturing on")));
            File arpLog = File.createTempFile("arping", ".log");
            Process arping = hosts.host(0).start(arpLog, "arping", "-b", "-I", "vm0", "192.168.82.2"); // a broadcast ARP request every second
            hosts.host(1).exec("sysctl", "-w", "net.ipv4.icmp_echo_ignore_broadcasts=0").check();
            File bcastLog = File.createTempFile("ping-broadcast", ".log");
            Process bcast = hosts.host(0).start(bcastLog, "ping", "-b", "-i", "0.005", "-W", "1", "-w", "120", "192.168.82.255");
            File log = File.createTempFile("ping-flood", ".log");
            Process ping = hosts.host(0).start(log, "ping", "-i", "0.005", "-W", "1", "-w", "120", "192.168.82.2");
            try {
                for (Distribution d : appliances) { // the jar out of plugins.d, then back
                    Path jar = d.home.resolve("plugins.d/search-multicast.jar");
                    Path aside = d.home.resolve("search-multicast.jar.aside");
                    Files.move(jar, aside, StandardCopyOption.ATOMIC_MOVE);
                    awaitAdm(d, "ovl:DEGRADED\n"::equals, "DEGRADED without search-multicast", "overlay:show", "-f", "-p", "-o", "link,status");
                    Files.move(aside, jar, StandardCopyOption.ATOMIC_MOVE);
                    awaitAdm(d, "ovl:ONLINE\n"::equals, "ONLINE with search-multicast back", "overlay:show", "-f", "-p", "-o", "link,status");
                }
                for (Distribution d : appliances) { // varpd updated in place, as an operator would
                    Matcher m = VARPD.matcher(d.adm("felix:lb", "-s"));
                    assertTrue("varpd listed by felix:lb -s", m.find());
                    d.adm("felix:update", m.group(1));
                    awaitAdm(d, "ovl:ONLINE\n"::equals, "ONLINE after varpd's update", "overlay:show", "-f", "-p", "-o", "link,status");
                }
                assertTrue("the flood was still running when the replacements were done: " + Files.readString(log.toPath()), ping.isAlive());
                int done = lastSequence(log); // and 200 more echoes after everything is back, part of what is measured
                int bcastDone = lastSequence(bcastLog);
                long arpDone = arpReplies(arpLog); // and 3 more ARP replies
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WITHIN_MS);
                while (lastSequence(log) < done + 200 || lastSequence(bcastLog) < bcastDone + 200 || arpReplies(arpLog) < arpDone + 3) {
                    assertTrue("the floods and the ARP requests go on after the replacements", System.nanoTime() < deadline && ping.isAlive()
                            && bcast.isAlive() && arping.isAlive());
                    Thread.sleep(50);
                }
                // A positive control for the capture: an overlay in another group, created and deleted, joins and leaves it.
                String other = "239.4." + net + ".1";
                appliances[0].adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI + 1), "-p",
                        "vxlan/listen_ip=" + underlay + "1", "-p", "multicast/group=" + other, "-p", "multicast/interface=" + TestNetwork.UNDERLAY,
                        "ctl");
                appliances[0].adm("overlay:delete", "ctl");
                Await.until("the capture sees the control group left", WITHIN_MS,
                        Await.check(() -> leaves(Files.readString(igmpLog.toPath()), other).size() > 0));
            } finally {
                Netns.run("kill", "-INT", Long.toString(ping.pid())); // ping prints its statistics on SIGINT
                Netns.run("kill", "-INT", Long.toString(bcast.pid()));
                Netns.run("kill", "-INT", Long.toString(arping.pid())); // and so does arping
                ping.waitFor(10, TimeUnit.SECONDS);
                bcast.waitFor(10, TimeUnit.SECONDS);
                arping.waitFor(10, TimeUnit.SECONDS);
                Netns.run("kill", "-INT", Long.toString(igmp.pid()));
                igmp.waitFor(10, TimeUnit.SECONDS);
            }
            String arp = Files.readString(arpLog.toPath());
            String groups = Files.readString(igmpLog.toPath());
            arpLog.delete();
            igmpLog.delete();
            Matcher probes = Pattern.compile("Sent (\\d+) probes").matcher(arp);
            Matcher replies = Pattern.compile("Received (\\d+) response").matcher(arp);
            assertTrue(arp, probes.find() && replies.find());
            int arpSent = Integer.parseInt(probes.group(1));
            int arpAnswered = Integer.parseInt(replies.group(1));
            System.out.println("PingFloodContinuityIT: " + arpSent + " broadcast ARP requests, " + arpAnswered + " answered");
            // As for ping: the request sent as arping was stopped may not be answered yet.
            assertTrue("not one broadcast ARP request lost: sent " + arpSent + ", answered " + arpAnswered, arpSent - arpAnswered <= 1);
            assertTrue("no IGMP leave of the overlay's group while varpd was replaced:\n" + groups, leaves(groups, group).isEmpty());
            assertNoneLost("unicast", log);
            assertNoneLost("broadcast", bcastLog);
        }
    }
}
