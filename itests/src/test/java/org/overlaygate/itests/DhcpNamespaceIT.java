package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ISC dhclient, busybox udhcpc, dnsmasq): VMs in namespaces get their
 * addresses from the overlay's own DHCP server. ISC dhclient (with Debian's dhclient-script) gets
 * a pooled address, the router, the DNS server and domain, and the overlay's MTU, which its link
 * takes; busybox udhcpc gets the address reserved for its MAC, renews by unicast and releases it;
 * a VM on a VLAN 10 VNIC gets VLAN 10's address. The appliance restarted keeps the leases: dhclient
 * asking again for its address gets it. Last, illumos' DHCP proxy mode: on a files overlay whose
 * mapping names a dnsmasq VM as the DHCP server of another VM, that VM's broadcast reaches dnsmasq
 * as unicast and dnsmasq's answer configures it.
 *
 * <p>dhclient-script writes resolv.conf: `ip netns exec` bind-mounts /etc/netns/NS/resolv.conf over
 * it, which this test creates first and removes at the end, so the machine's own is never touched.
 */
public class DhcpNamespaceIT {
    private static final String MAC_B = "02:00:00:61:00:02";
    private static final String MAC_D = "02:00:00:70:00:0d";
    private static final String MAC_E = "02:00:00:70:00:0e";

    /** A busybox udhcpc script: records each event's environment and configures the link as udhcpc's examples do. */
    private static final String UDHCPC_SCRIPT = "#!/bin/sh\n"
            + "env | sort > \"$(dirname \"$0\")/$1.env\"\n"
            + "case \"$1\" in\n"
            + "  bound|renew)\n"
            + "    ip addr flush dev \"$interface\"\n"
            + "    ip addr add \"$ip/$mask\" dev \"$interface\"\n"
            + "    [ -n \"$mtu\" ] && ip link set dev \"$interface\" mtu \"$mtu\"\n"
            + "    [ -n \"$router\" ] && ip route replace default via \"${router%% *}\" dev \"$interface\"\n"
            + "    ;;\n"
            + "  deconfig) ip addr flush dev \"$interface\" ;;\n"
            + "esac\n"
            + "exit 0\n";

    private final List<Path> cleanUp = new ArrayList<>();

    @Test
    public void vmsGetAddressesRouterDnsAndMtuFromTheOverlayAndThroughTheProxy() throws Exception {
        SystemTests.assumeSystem("DhcpNamespaceIT", "dhclient", "dhclient-script", "busybox", "dnsmasq");
        String tapA = SystemTests.linkName("ogda");
        String tapB = SystemTests.linkName("ogdb");
        String tapC = SystemTests.linkName("ogdc");
        String tapD = SystemTests.linkName("ogdd");
        String tapE = SystemTests.linkName("ogde");
        Path work = Files.createTempDirectory("dhcp-it");
        cleanUp.add(work);
        try (Distribution dist = Distribution.copy(); Netns a = Netns.create("ogda"); Netns b = Netns.create("ogdb");
                Netns c = Netns.create("ogdc"); Netns d = Netns.create("ogdd"); Netns e = Netns.create("ogde")) {
            Path resolvA = ownResolvConf(a);
            ownResolvConf(c);
            Process appliance = dist.start();
            dist.awaitReady(60_000);
            int port = SystemTests.freeUdpPort("127.0.0.1");
            int nowhere = SystemTests.freeUdpPort("127.0.0.2");
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "6161", "-p", "vxlan/listen_ip=127.0.0.1", "-p",
                    "vxlan/listen_port=" + port, "-p", "direct/dest_ip=127.0.0.2", "-p", "direct/dest_port=" + nowhere, "-p", "mtu=1400",
                    "-p", "dhcp/subnet=10.61.0.0/24", "-p", "dhcp/range=10.61.0.100-10.61.0.150", "-p", "dhcp/router=10.61.0.1",
                    "-p", "dhcp/dns=10.61.0.53", "-p", "dhcp/domain=tenant.test", "-p", "dhcp/lease=600",
                    "-p", "dhcp/reserve=" + MAC_B + "=10.61.0.20", "dh");
            dist.adm("dhcp:set", "dh", "10/subnet=10.62.0.0/24", "10/router=10.62.0.1"); // VLAN 10 served, changed at run time
            dist.adm("vnic:create", "-l", "dh", "-t", tapA, "va");
            dist.adm("vnic:create", "-l", "dh", "-t", tapB, "-m", MAC_B, "vb");
            dist.adm("vnic:create", "-l", "dh", "-t", tapC, "-v", "10", "vc");
            plugUnaddressed(a, tapA);
            plugUnaddressed(b, tapB);
            plugUnaddressed(c, tapC);

            // ISC dhclient: a pooled address, router, DNS, domain, and the link takes the overlay's MTU
            Path leaseA = work.resolve("a.leases");
            a.start(work.resolve("dhclient-a.log").toFile(), "dhclient", "-d", "-v", "-1", "-pf", work.resolve("a.pid").toString(),
                    "-lf", leaseA.toString(), tapA);
            String addressA = awaitAddress(a, tapA, "10.61.0.");
            assertTrue(addressA, addressA.matches("10\\.61\\.0\\.1[0-4][0-9]|10\\.61\\.0\\.150"));
            assertTrue(link(a, tapA), link(a, tapA).contains(" mtu 1400 "));
            // dhclient-script adds the address first, then the default route and resolv.conf: wait for them
            Await.until("the default route via the DHCP router", 10_000,
                    Await.check(() -> a.exec("ip", "route").output.contains("default via 10.61.0.1 dev " + tapA)));
            Await.until("resolv.conf with the DHCP DNS server and domain", 10_000, Await.check(() -> {
                String resolv = Files.exists(resolvA) ? Files.readString(resolvA) : "";
                return resolv.contains("nameserver 10.61.0.53") && resolv.contains("tenant.test");
            }));

            // busybox udhcpc: the reserved address; a renewal (unicast to the server); a release
            Path scriptDir = work.resolve("udhcpc-b");
            Path script = udhcpcScript(scriptDir);
            Process udhcpc = b.start(work.resolve("udhcpc-b.log").toFile(), "busybox", "udhcpc", "-f", "-i", tapB, "-t", "5", "-T", "1",
                    "-s", script.toString());
            String bound = awaitFile(scriptDir.resolve("bound.env"));
            assertTrue(bound, bound.contains("ip=10.61.0.20\n") && bound.contains("router=10.61.0.1\n") && bound.contains("mtu=1400\n")
                    && bound.contains("dns=10.61.0.53") && bound.contains("domain=tenant.test\n") && bound.contains("lease=600\n")
                    && bound.contains("serverid=10.61.0.254\n"));
            assertEquals("10.61.0.20", awaitAddress(b, tapB, "10.61.0."));
            Netns.Result ping = a.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.61.0.20");
            assertEquals("VMs configured by DHCP reach each other: " + ping, 0, ping.exitCode);
            long acks = TestNetwork.event(dist, "dh", "dhcp_acks");
            Netns.run("kill", "-USR1", Long.toString(udhcpc.pid())).check();
            String renewed = awaitFile(scriptDir.resolve("renew.env"));
            assertTrue(renewed, renewed.contains("ip=10.61.0.20\n"));
            assertEquals(acks + 1, TestNetwork.event(dist, "dh", "dhcp_acks"));
            Netns.run("kill", "-USR2", Long.toString(udhcpc.pid())).check();
            Await.until("the release", 10_000, Await.check(() -> leases(dist).contains("10.61.0.20:" + escaped(MAC_B) + ":released")));

            // a VM on VLAN 10 gets VLAN 10's address
            c.start(work.resolve("dhclient-c.log").toFile(), "dhclient", "-d", "-v", "-1", "-pf", work.resolve("c.pid").toString(),
                    "-lf", work.resolve("c.leases").toString(), tapC);
            String addressC = awaitAddress(c, tapC, "10.62.0.");
            Await.until("VLAN 10's default route", 10_000,
                    Await.check(() -> c.exec("ip", "route").output.contains("default via 10.62.0.1 dev " + tapC)));
            assertTrue(link(c, tapC), link(c, tapC).contains(" mtu 1400 "));
            String leases = leases(dist);
            assertTrue(leases, leases.contains("0:" + addressA + ":") && leases.contains("10:" + addressC + ":"));
            assertTrue("every DHCP broadcast was taken off the wire here, none flooded",
                    TestNetwork.event(dist, "dh", "answered_locally") >= TestNetwork.event(dist, "dh", "dhcp_offers") * 2);

            // the appliance restarted keeps the leases: dhclient asking again for its address gets it
            dist.stop(appliance);
            dist.start();
            dist.awaitReady(60_000);
            assertTrue(leases(dist).contains("0:" + addressA + ":"));
            plugUnaddressed(a, tapA); // the appliance made the TAP again, in the root namespace
            a.start(work.resolve("dhclient-a2.log").toFile(), "dhclient", "-d", "-v", "-1", "-pf", work.resolve("a2.pid").toString(),
                    "-lf", leaseA.toString(), tapA);
            assertEquals("the same address after the restart", addressA, awaitAddress(a, tapA, "10.61.0."));

            // illumos' DHCP proxy mode: E's broadcast goes to dnsmasq (D) as unicast
            Path mapping = work.resolve("proxy.json");
            int proxyPort = SystemTests.freeUdpPort("127.0.0.1");
            Files.writeString(mapping, "{\n"
                    + "  \"" + MAC_D + "\": { \"ip\": \"127.0.0.1\", \"port\": " + proxyPort + " },\n"
                    + "  \"" + MAC_E + "\": { \"ip\": \"127.0.0.1\", \"port\": " + proxyPort + ", \"dhcp-proxy\": \"" + MAC_D + "\" }\n"
                    + "}\n", StandardCharsets.UTF_8);
            dist.adm("overlay:create", "-e", "vxlan", "-s", "files", "-v", "7070", "-p", "vxlan/listen_ip=127.0.0.1", "-p",
                    "vxlan/listen_port=" + proxyPort, "-p", "files/config=" + mapping, "-p", "mtu=1400", "px");
            dist.adm("vnic:create", "-l", "px", "-t", tapD, "-m", MAC_D, "vd");
            dist.adm("vnic:create", "-l", "px", "-t", tapE, "-m", MAC_E, "ve");
            SystemTests.plug(d, tapD, "10.70.0.1/24");
            plugUnaddressed(e, tapE);
            d.start(work.resolve("dnsmasq.log").toFile(), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root",
                    "--bind-interfaces", "--interface=" + tapD, "--no-ping", "--dhcp-authoritative",
                    "--dhcp-range=10.70.0.100,10.70.0.110,255.255.255.0,600", "--dhcp-option=option:router,10.70.0.1",
                    "--dhcp-leasefile=" + work.resolve("dnsmasq.leases"), "--pid-file=" + work.resolve("dnsmasq.pid"));
            Path scriptDirE = work.resolve("udhcpc-e");
            e.start(work.resolve("udhcpc-e.log").toFile(), "busybox", "udhcpc", "-f", "-i", tapE, "-t", "10", "-T", "1", "-s",
                    udhcpcScript(scriptDirE).toString());
            String proxied = awaitFile(scriptDirE.resolve("bound.env"));
            assertTrue(proxied, proxied.contains("serverid=10.70.0.1\n") && proxied.matches("(?s).*\nip=10\\.70\\.0\\.(10[0-9]|110)\n.*"));
            assertTrue(TestNetwork.event(dist, "px", "dhcp_proxied") >= 2); // DISCOVER and REQUEST
        } finally {
            for (Path p : cleanUp) {
                deleteTree(p);
            }
        }
    }

    /** /etc/netns/NS/resolv.conf, which `ip netns exec` mounts over /etc/resolv.conf for the namespace's commands. */
    private Path ownResolvConf(Netns ns) throws Exception {
        Path dir = Paths.get("/etc/netns", ns.name());
        cleanUp.add(dir);
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("resolv.conf"), "");
    }

    /** Moves the TAP into the VM's namespace at a larger MTU than the overlay's, up, without an address. */
    private static void plugUnaddressed(Netns vm, String tap) throws Exception {
        vm.moveIn(tap);
        vm.exec("ip", "link", "set", tap, "mtu", "1500", "up").check();
    }

    private static String link(Netns ns, String tap) throws Exception {
        return ns.exec("ip", "-o", "link", "show", tap).output;
    }

    private static String awaitAddress(Netns ns, String tap, String prefix) throws Exception {
        Pattern inet = Pattern.compile("inet (" + Pattern.quote(prefix) + "\\d+)/");
        String[] found = new String[1];
        Await.until("an address " + prefix + "x on " + tap, 30_000, Await.check(() -> {
            Matcher m = inet.matcher(ns.exec("ip", "-4", "-o", "addr", "show", "dev", tap).output);
            if (m.find()) {
                found[0] = m.group(1);
                return true;
            }
            return false;
        }));
        return found[0];
    }

    private static String awaitFile(Path file) throws Exception {
        Await.until(file.getFileName().toString(), 30_000, () -> Files.exists(file));
        String[] text = new String[1];
        Await.until(file + " written whole", 5_000, Await.check(() -> {
            text[0] = Files.readString(file);
            return text[0].contains("interface=");
        }));
        return text[0];
    }

    private static Path udhcpcScript(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path script = dir.resolve("script.sh");
        Files.writeString(script, UDHCPC_SCRIPT);
        script.toFile().setExecutable(true);
        return script;
    }

    /** dhcp:leases as parseable lines VID:ADDRESS:MAC:STATE. */
    private static String leases(Distribution dist) throws Exception {
        return dist.adm("dhcp:leases", "-p", "-o", "vid,address,macaddress,state", "dh");
    }

    private static String escaped(String mac) {
        return mac.replace(":", "\\:");
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (java.io.IOException e) {
            // best effort: a temporary directory
        }
    }
}
