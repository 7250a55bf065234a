package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, traceroute, tracepath, iperf3, ethtool): two appliances in host namespaces
 * of their own, each with overlay net1 (10.1.0.0/24 and 2001:db8:1::/64, VNI 100, MTU 1400) and
 * net2 (10.2.0.0/24 and 2001:db8:2::/64, VNI 200, MTU 1300) mapped by files, and the same router
 * r1 defined on both: a distributed gateway, so each host routes its own VM's packets (vma on host
 * 0 in net1, vmb on host 1 in net2, default routes via the gateway), and next hops come from the
 * files mappings through varpd's address lookup. Linux's own tools are the reference: ping both
 * ways in IPv4 and IPv6, traceroute shows the gateway as the one hop, ping -t 1 gets time exceeded
 * from it, ping -M do -s 1372 from the 1400 side gets "frag needed" with mtu 1300 and tracepath
 * finds pmtu 1300, iperf3 runs TCP across; a blackhole route drops silently, a network without a
 * route is unreachable; 1:1 NAT (an elastic IP on net2 for vma) on both hosts; on host 0 an uplink
 * on an existing interface (a veth to an outside namespace), attached, with a default route to its
 * gateway, masquerading vma towards a server beyond it, which sees the uplink's address; on host 1
 * an uplink TAP device (moved into a second outside namespace) with an elastic IP there that the
 * outside reaches vmb at, kept through the router jar's replacement on host 1; a masqueraded TCP stream that outlives the router jar's replacement;
 * the router jar replaced on host 0 during a routed ping, which resumes, and a ping on net1 alone
 * (vmc on host 1 to vma), which loses nothing; and vma moved to host 1,
 * where the same gateway (address and MAC) routes it.
 */
public class RouterNamespaceIT {
    private static final String MAC_A = "02:08:20:00:91:0a";
    private static final String MAC_B = "02:08:20:00:91:0b";
    private static final String MAC_C = "02:08:20:00:91:0c";

    private static String mapping(String mac, String host, String v4, String v6) {
        return "{ " + entry(mac, host, v4, v6) + " }\n";
    }

    private static String entry(String mac, String host, String v4, String v6) {
        return "\"" + mac + "\": { \"ip\": \"" + host + "\", \"port\": 4789, \"arp\": \"" + v4 + "\", \"ndp\": \"" + v6 + "\" }";
    }

    /** net1's mapping: vma where it is, vmc on host 1. */
    private static String net1(String vmaHost) {
        return "{ " + entry(MAC_A, vmaHost, "10.1.0.2", "2001:db8:1::2") + ",\n  " + entry(MAC_C, "10.64.0.2", "10.1.0.3", "2001:db8:1::3")
                + " }\n";
    }

    @Test
    public void vmsOnTwoOverlaysReachEachOtherThroughTheSameGatewayOnBothHosts() throws Exception {
        SystemTests.assumeSystem("RouterNamespaceIT", "ping", "traceroute", "tracepath", "iperf3", "ethtool");
        Path dir = Files.createTempDirectory("router-it");
        Path net1 = dir.resolve("net1.json");
        Path net2 = dir.resolve("net2.json");
        Files.writeString(net1, net1("10.64.0.1"), StandardCharsets.UTF_8);
        Files.writeString(net2, mapping(MAC_B, "10.64.0.2", "10.2.0.2", "2001:db8:2::2"), StandardCharsets.UTF_8);
        try (TestHosts hosts = TestHosts.create("ogrt", "10.64.0.1/24", "10.64.0.2/24"); Netns vma = Netns.create("ogrva"); Netns vmb = Netns.create("ogrvb");
                Netns vmc = Netns.create("ogrvc");
                Netns outside = Netns.create("ogrvo"); Netns outside2 = Netns.create("ogrvp")) {
            List<Distribution> appliances = hosts.startAppliances(2);
            for (int i = 0; i < 2; i++) {
                Distribution d = appliances.get(i);
                String listen = "vxlan/listen_ip=10.64.0." + (i + 1);
                d.adm("overlay:create", "-e", "vxlan", "-s", "files", "-v", "100", "-p", listen, "-p", "files/config=" + net1, "-p", "mtu=1400",
                        "net1");
                d.adm("overlay:create", "-e", "vxlan", "-s", "files", "-v", "200", "-p", listen, "-p", "files/config=" + net2, "-p", "mtu=1300",
                        "net2");
                d.adm("router:create", "r1");
                d.adm("router:attach", "r1", "net1", "10.1.0.1/24", "2001:db8:1::1/64");
                d.adm("router:attach", "r1", "net2", "10.2.0.1/24", "2001:db8:2::1/64");
            }
            Distribution a = appliances.get(0);
            Distribution b = appliances.get(1);
            assertEquals("the same gateway MAC on both hosts", a.adm("router:show", "-p", "-o", "MACADDRESS", "r1"),
                    b.adm("router:show", "-p", "-o", "MACADDRESS", "r1"));
            a.adm("vnic:create", "-l", "net1", "-m", MAC_A, "-t", "rtapa", "vma");
            b.adm("vnic:create", "-l", "net2", "-m", MAC_B, "-t", "rtapb", "vmb");
            b.adm("vnic:create", "-l", "net1", "-m", MAC_C, "-t", "rtapc", "vmc");
            for (Netns vm : List.of(vma, vmb, vmc)) { // static addresses only: no SLAAC address the mappings do not know
                vm.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0").check();
            }
            TestNetwork.plug(hosts.host(0), "rtapa", vma, "10.1.0.2/24");
            TestNetwork.plug(hosts.host(1), "rtapb", vmb, "10.2.0.2/24");
            TestNetwork.plug(hosts.host(1), "rtapc", vmc, "10.1.0.3/24");
            vma.exec("ip", "-6", "addr", "add", "2001:db8:1::2/64", "dev", "rtapa", "nodad").check();
            vmb.exec("ip", "-6", "addr", "add", "2001:db8:2::2/64", "dev", "rtapb", "nodad").check();
            vma.exec("ip", "route", "add", "default", "via", "10.1.0.1").check();
            vmb.exec("ip", "route", "add", "default", "via", "10.2.0.1").check();
            vma.exec("ip", "-6", "route", "add", "default", "via", "2001:db8:1::1").check();
            vmb.exec("ip", "-6", "route", "add", "default", "via", "2001:db8:2::1").check();

            // ping both ways, IPv4 and IPv6, and the gateway itself
            ping(vma, "10.1.0.1");
            ping(vma, "10.2.0.2");
            ping(vmb, "10.1.0.2");
            ping(vma, "2001:db8:2::2");
            ping(vmb, "2001:db8:1::2");
            assertTrue("host 0 routed", counter(a, "routed") >= 6);
            assertTrue("host 1 routed its own VM's packets", counter(b, "routed") >= 6);
            assertTrue("next hops from the files mappings", counter(a, "neighbour_from_lookup") >= 2);
            String neigh = a.adm("router:neigh", "-p", "-o", "OVERLAY,ADDRESS,SOURCE", "r1");
            assertTrue(neigh, neigh.contains("net2:10.2.0.2:lookup"));

            // traceroute: the gateway is the one hop
            Netns.Result trace = vma.exec(30_000, "traceroute", "-n", "-q", "1", "-w", "2", "-m", "5", "10.2.0.2");
            assertEquals("traceroute: " + trace, 0, trace.exitCode);
            List<String> hops = trace.output.lines().filter(l -> l.matches("\\s*\\d+\\s.*")).toList();
            assertEquals(trace.output, 2, hops.size());
            assertTrue(trace.output, hops.get(0).trim().startsWith("1  10.1.0.1 "));
            assertTrue(trace.output, hops.get(1).trim().startsWith("2  10.2.0.2 "));

            // time exceeded
            Netns.Result ttl = vma.exec(10_000, "ping", "-n", "-c", "1", "-t", "1", "-W", "2", "10.2.0.2");
            assertTrue("ping -t 1: " + ttl, ttl.output.contains("From 10.1.0.1 icmp_seq=1 Time to live exceeded"));

            // path MTU: net2's 1300 reported by the gateway, in IPv4 and IPv6
            Netns.Result big = vma.exec(10_000, "ping", "-n", "-c", "1", "-M", "do", "-s", "1372", "-W", "2", "10.2.0.2");
            assertTrue("ping -M do -s 1372: " + big, big.output.contains("From 10.1.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1300)"));
            assertTrue(counter(a, "icmp_frag_needed") >= 1);
            Netns.Result tracepath = vma.exec(30_000, "tracepath", "-n", "10.2.0.2");
            assertTrue("tracepath: " + tracepath, tracepath.output.contains("pmtu 1300"));
            Netns.Result tracepath6 = vma.exec(30_000, "tracepath", "-n", "2001:db8:2::2");
            assertTrue("tracepath (IPv6, packet too big): " + tracepath6, tracepath6.output.contains("pmtu 1300")
                    && tracepath6.output.contains("2001:db8:1::1"));

            // TCP across the router
            vmb.start(dir.resolve("iperf3-server.log").toFile(), "iperf3", "-s", "-1", "-B", "10.2.0.2");
            Await.until("iperf3 to listen", 5_000, Await.check(() -> vmb.exec("ss", "-ltn").output.contains("10.2.0.2:5201")));
            Netns.Result iperf = vma.exec(30_000, "iperf3", "-c", "10.2.0.2", "-t", "2", "-f", "m");
            assertEquals("iperf3: " + iperf, 0, iperf.exitCode);
            assertTrue(iperf.output, iperf.output.contains("receiver"));
            System.out.println("RouterNamespaceIT: iperf3 through the router:\n" + iperf.output.lines().filter(l -> l.contains("receiver"))
                    .findFirst().orElse(""));

            // a blackhole drops silently; a network without a route is unreachable
            a.adm("router:route-add", "r1", "10.99.0.0/16", "blackhole");
            Netns.Result hole = vma.exec(10_000, "ping", "-n", "-c", "1", "-W", "1", "10.99.0.1");
            assertTrue("no answer at all: " + hole, hole.exitCode != 0 && !hole.output.contains("From "));
            assertTrue(counter(a, "blackhole") >= 1);
            Netns.Result none = vma.exec(10_000, "ping", "-n", "-c", "1", "-W", "1", "10.98.0.1");
            assertTrue("net unreachable: " + none, none.output.contains("From 10.1.0.1 icmp_seq=1 Destination Net Unreachable"));

            // 1:1 NAT on both hosts: 10.2.0.100 on net2 stands for vma; vmb reaches it, and the replies come from it
            for (Distribution d : appliances) {
                d.adm("router:nat", "r1", "dnat", "10.2.0.100", "10.1.0.2");
            }
            Netns.Result elastic = vmb.exec(20_000, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "10.2.0.100");
            assertEquals("vmb -> vma at its public address: " + elastic, 0, elastic.exitCode);
            assertTrue(elastic.output, elastic.output.contains("bytes from 10.2.0.100"));
            assertTrue("host 1 translated the requests", counter(b, "nat_translated") >= 3);
            assertTrue("host 0 translated the replies", counter(a, "nat_translated") >= 3);

            // host 0's uplink: an existing interface (a veth whose other end is in an "outside" namespace), attached;
            // vma reaches a server beyond its gateway through masquerading and a default route out of the uplink, and the
            // server sees the uplink's address, never vma's
            Netns.run("ip", "link", "add", "ext0", "netns", hosts.host(0).name(), "type", "veth", "peer", "name", "ext0p", "netns",
                    outside.name()).check();
            hosts.host(0).exec("ip", "link", "set", "ext0", "up").check();
            // as for any AF_PACKET reader (see OvsInteropIT): no merged frames on the attached interface, no TSO from its peer
            hosts.host(0).exec("ethtool", "-K", "ext0", "gro", "off").check();
            outside.exec("ethtool", "-K", "ext0p", "tx", "off").check();
            outside.exec("ip", "addr", "add", "192.168.250.1/24", "dev", "ext0p").check();
            outside.exec("ip", "link", "set", "ext0p", "up").check();
            outside.exec("ip", "addr", "add", "198.18.0.1/32", "dev", "lo").check(); // a server beyond the gateway
            String attached = a.adm("router:uplink", "r1", "ext0", "192.168.250.2/24", "gw", "192.168.250.1");
            assertTrue(attached, !attached.contains("("));
            a.adm("router:route-add", "r1", "0.0.0.0/0", "uplink");
            a.adm("router:nat", "r1", "snat", "10.1.0.0/24");
            Netns.Result out = vma.exec(20_000, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.1");
            assertEquals("vma -> the outside through the uplink's gateway, masqueraded: " + out, 0, out.exitCode);
            Path serverLog = dir.resolve("iperf3-outside.log");
            outside.start(serverLog.toFile(), "iperf3", "-s", "-B", "198.18.0.1");
            Await.until("the outside iperf3 to listen", 5_000,
                    Await.check(() -> outside.exec("ss", "-ltn").output.contains("198.18.0.1:5201")));
            Netns.Result snat = vma.exec(30_000, "iperf3", "-c", "198.18.0.1", "-t", "1", "-f", "m");
            assertEquals("iperf3 to the outside: " + snat, 0, snat.exitCode);
            Await.until("the outside server to log its client", 5_000,
                    Await.check(() -> Files.readString(serverLog).contains("Accepted connection from")));
            String accepted = Files.readString(serverLog);
            assertTrue("the outside sees the uplink's address: " + accepted, accepted.contains("Accepted connection from 192.168.250.2")
                    && !accepted.contains("10.1.0.2"));
            String conns = a.adm("router:conns", "-p", "-o", "PROTO,INSIDE", "r1");
            assertTrue(conns, conns.contains("tcp:10.1.0.2\\:") && conns.contains("icmp:10.1.0.2\\:"));
            String neighbours = a.adm("router:neigh", "-p", "-o", "OVERLAY,ADDRESS,SOURCE", "r1");
            assertTrue("the gateway found by ARP on the uplink: " + neighbours, neighbours.contains("uplink\\:ext0:192.168.250.1:arp"));

            // host 1's uplink: a TAP device the appliance makes (moved here into a second outside namespace, its host
            // side); an elastic IP there stands for vmb, and the outside reaches vmb at it
            b.adm("router:uplink", "r1", "ogup1", "198.51.100.2/24", "gw", "198.51.100.1");
            TestNetwork.plug(hosts.host(1), "ogup1", outside2, "198.51.100.1/24");
            b.adm("router:nat", "r1", "dnat", "198.51.100.10", "10.2.0.2");
            Netns.Result elasticOut = outside2.exec(20_000, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.10");
            assertEquals("the outside -> vmb at its public address through the TAP uplink: " + elasticOut, 0, elasticOut.exitCode);
            String seen = outside2.exec("ip", "neigh", "show", "198.51.100.10").output;
            String uplinkMac = b.adm("router:show", "-p", "-o", "OVERLAY,MACADDRESS", "r1").lines().filter(l -> l.startsWith("uplink\\:ogup1:"))
                    .map(l -> l.substring("uplink\\:ogup1:".length()).replace("\\:", ":")).findFirst().orElse("none");
            assertTrue("the router answered ARP for the public address with the uplink's MAC " + uplinkMac + ": " + seen, seen.contains(uplinkMac));
            assertTrue("host 1 translated", counter(b, "nat_translated") >= 6);

            // the router jar replaced on host 0 while a routed ping runs (it resumes), while a ping on net1 alone runs (it
            // loses nothing), and while a masqueraded TCP stream to the outside runs: its connection keeps its outside
            // port through the replacement (the earlier iperf3's connections took the first ports: a new, empty table
            // would give it another, and the server would reset it)
            TestNetwork.Ping ping = TestNetwork.Ping.start(vma, "10.2.0.2", 0.1);
            TestNetwork.Ping sameOverlay = TestNetwork.Ping.start(vmc, "10.1.0.2", 0.1);
            Path streamLog = dir.resolve("iperf3-stream.log");
            Process stream = vma.start(streamLog.toFile(), "iperf3", "-c", "198.18.0.1", "-t", "12", "-b", "20M", "-f", "m", "--forceflush");
            Await.until("the routed ping and the stream to run", 10_000, Await.check(() -> ping.replies() >= 5 && sameOverlay.replies() >= 5
                    && Files.readString(streamLog).contains("Mbits/sec")));
            Path jar = a.home.resolve("plugins.d/overlay-router.jar");
            Path newer = PluginJars.withVersion(jar, "99.0.0", dir);
            PluginJars.drop(newer, a.home.resolve("plugins.d"), "overlay-router.jar");
            Await.until("version 99 of the router to run", 30_000, Await.check(() -> a.adm("felix:lb", "-s").contains("org.overlaygate.overlay.router (99.0.0)")));
            Await.until("r1 restored and attached by the new version", 10_000,
                    Await.check(() -> a.adm("router:show", "-p", "-o", "STATE", "r1").equals("up\nup\nup\n")));
            int after = ping.replies();
            Await.until("the routed ping to resume", 10_000, Await.check(() -> ping.replies() >= after + 10));
            PingLog routed = ping.stop();
            PingLog layer2 = sameOverlay.stop();
            assertTrue("the stream ends", stream.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            String streamed = Files.readString(streamLog);
            System.out.println("RouterNamespaceIT: masqueraded TCP stream across the jar replacement:\n" + streamed.lines()
                    .filter(l -> l.contains("receiver") || l.contains("error")).reduce("", (x, y) -> x + y + "\n"));
            assertEquals("the masqueraded TCP stream outlived the jar replacement (its connection restored): " + streamed, 0, stream.exitValue());
            assertTrue(streamed, streamed.contains("receiver"));
            System.out.println("RouterNamespaceIT: routed ping across the jar replacement: " + routed + "; vmc -> vma on net1: " + layer2);
            layer2.assertNoneLost("net1's own traffic (vmc -> vma) while the router jar was replaced");
            assertEquals("the router's definitions came back from ConfigAdmin", "10.99.0.0/16:blackhole\n",
                    a.adm("router:routes", "-p", "-o", "PREFIX,TYPE", "r1").lines().filter(l -> l.startsWith("10.99")).findFirst().orElse("") + "\n");

            // the router jar replaced on host 1 too: its uplink's TAP device is kept for the new version (still in
            // outside2, with the address given it there), and the outside reaches vmb at its public address again
            PluginJars.drop(newer, b.home.resolve("plugins.d"), "overlay-router.jar");
            Await.until("version 99 of the router to run on host 1", 30_000,
                    Await.check(() -> b.adm("felix:lb", "-s").contains("org.overlaygate.overlay.router (99.0.0)")));
            Await.until("the outside to reach vmb through the kept TAP uplink", 10_000,
                    Await.check(() -> outside2.exec(5_000, "ping", "-n", "-c", "1", "-W", "1", "198.51.100.10").exitCode == 0));
            assertTrue("the same device, still in outside2", outside2.exec("ip", "addr", "show", "ogup1").output.contains("198.51.100.1/24"));

            // vma moves to host 1 (the mapping follows): the gateway there has the same address and MAC, and routes it
            String gateway = gatewayMac(vma);
            a.adm("vnic:delete", "vma");
            vma.exec("ip", "link", "del", "rtapa"); // gone with its VNIC already, unless it outlives it in the VM
            Path moved = dir.resolve("net1.json.tmp");
            Files.writeString(moved, net1("10.64.0.2"), StandardCharsets.UTF_8);
            Files.move(moved, net1, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            b.adm("vnic:create", "-l", "net1", "-m", MAC_A, "-t", "rtapa2", "vma2");
            TestNetwork.plug(hosts.host(1), "rtapa2", vma, "10.1.0.2/24");
            vma.exec("ip", "route", "add", "default", "via", "10.1.0.1").check();
            long routedOnB = counter(b, "routed");
            Await.until("vma to reach vmb from host 1", 10_000,
                    Await.check(() -> vma.exec(5_000, "ping", "-n", "-c", "1", "-W", "1", "10.2.0.2").exitCode == 0));
            ping(vmb, "10.1.0.2");
            assertEquals("the same gateway MAC on the new host", gateway, gatewayMac(vma));
            assertTrue("host 1 routes vma's packets now", counter(b, "routed") >= routedOnB + 4);
        } finally {
            try (var paths = Files.list(dir)) {
                paths.forEach(p -> p.toFile().delete());
            }
            Files.delete(dir);
        }
    }

    private static String gatewayMac(Netns vm) throws Exception {
        String n = vm.exec("ip", "neigh", "show", "10.1.0.1").output.trim();
        int at = n.indexOf("lladdr ");
        assertTrue("the gateway's neighbour entry: " + n, at >= 0);
        return n.substring(at + 7, at + 24);
    }

    private static void ping(Netns vm, String to) throws Exception {
        Netns.Result r = vm.exec(20_000, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", to);
        assertEquals(vm.name() + " -> " + to + ": " + r, 0, r.exitCode);
    }

    private static long counter(Distribution d, String name) throws Exception {
        for (String line : d.adm("router:stats", "-p", "-o", "COUNTER,VALUE", "r1").split("\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no counter " + name);
    }
}
