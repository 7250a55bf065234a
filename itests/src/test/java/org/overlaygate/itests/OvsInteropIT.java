package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, tshark, iperf3, ethtool, Open vSwitch): the appliance interoperates
 * with Open vSwitch's userspace datapath, the Geneve reference CI can always run (it needs no
 * kernel module, unlike {@link KernelGeneveInteropIT}) and a second VXLAN reference besides
 * {@link KernelVxlanInteropIT}. The appliance runs in one host namespace with its default offloads,
 * OVS ({@link OvsSwitch}) in another, cabled by a veth that OVS reads through AF_PACKET: a netdev
 * bridge owns OVS's underlay address with the veth as its port, and one netdev bridge per overlay
 * joins a VM's veth to a {@code geneve} or {@code vxlan} port with the overlay's VNI as its key.
 * The VMs' veths get {@code ethtool -K ... tx off} on their non-OVS end (AF_PACKET drops GSO
 * packets and leaves checksums partial, as OVS's own system tests say); the appliance's does not:
 * it must send what OVS takes by itself (issue 22, item 2: udp_gso off over a veth).
 *
 * <p>Geneve: pings both ways and a 1450-byte ping with DF both ways, iperf3 TCP both ways, tshark
 * decoding version 0, 0x6558, the VNI and the inner ICMP; options both ways on a second overlay
 * (the appliance's non-critical option matched by an OVS flow, OVS's non-critical option accepted
 * by the appliance and decoded by tshark), then critical ones: OVS's refused by the appliance and
 * counted on that overlay ({@code overlay:stats NAME}, {@code /metrics}), the appliance's refused by OVS
 * ({@code drop_action_invalid_tunnel_metadata}). VXLAN: pings, the 1450-byte DF ping and TCP both
 * ways, tshark decoding the VNI.
 */
public class OvsInteropIT {
    private static final String APPLIANCE = "10.64.0.1";
    private static final String OVS = "10.64.0.2";
    private static final int GENEVE_VNI = 7006;
    private static final int OPTIONS_VNI = 7008;
    private static final int CRITICAL_VNI = 7009;
    private static final int VXLAN_VNI = 7007;
    /** 8 bytes of Geneve options (one option of 4 bytes of data) in front of every frame: the options overlay's MTU leaves room. */
    private static final int OPTIONS_MTU = 1450 - 8;

    @Test
    public void genevePingTcpAndOptionsAndVxlanPingAndTcpBothWaysWithOpenVswitchsUserspaceDatapath() throws Exception {
        SystemTests.assumeSystem("OvsInteropIT", "ping", "tshark", "iperf3", "ethtool", "ss");
        SystemTests.assumeSystem("OvsInteropIT", OvsSwitch.TOOLS);
        try (Netns host = TestNetwork.quiet("ogova"); Netns ovsHost = TestNetwork.quiet("ogovo"); Netns vmA = TestNetwork.quiet("ogovv");
                Netns vmO = TestNetwork.quiet("ogovw"); Distribution dist = Distribution.copy(); OvsSwitch ovs = OvsSwitch.start(ovsHost)) {
            Netns.run("ip", "link", "add", TestNetwork.UNDERLAY, "netns", host.name(), "type", "veth", "peer", "name", TestNetwork.UNDERLAY,
                    "netns", ovsHost.name()).check();
            host.exec("ip", "addr", "add", APPLIANCE + "/24", "dev", TestNetwork.UNDERLAY).check();
            host.exec("ip", "link", "set", TestNetwork.UNDERLAY, "up").check();
            ovsHost.exec("ip", "link", "set", TestNetwork.UNDERLAY, "up").check();
            dist.startIn(host); // starts while OVS is set up

            ovs.addBridge("brul", TestNetwork.UNDERLAY);
            ovsHost.exec("ip", "addr", "add", OVS + "/24", "dev", "brul").check();
            ovsHost.exec("ip", "link", "set", "brul", "up").check();
            vmBehindOvs(ovs, ovsHost, vmO, "brgn", "vmg", "192.168.87.2", 1450);
            ovs.addTunnel("brgn", "gnv0", "geneve", APPLIANCE, GENEVE_VNI);
            vmBehindOvs(ovs, ovsHost, vmO, "brvx", "vmx", "192.168.88.2", 1450);
            ovs.addTunnel("brvx", "vx0", "vxlan", APPLIANCE, VXLAN_VNI);
            vmBehindOvs(ovs, ovsHost, vmO, "brgo", "vmo", "192.168.89.2", OPTIONS_MTU);
            ovs.addTunnel("brgo", "gno", "geneve", APPLIANCE, OPTIONS_VNI);
            ovs.addTunnel("brgo", "gnc", "geneve", APPLIANCE, CRITICAL_VNI);
            // Options OVS understands (its TLV map is the switch's): the appliance's 0102:01 and 0102:02 and the critical 0102:81,
            // both sent by OVS below; the appliance's critical 0102:83 stays unknown to it.
            ovs.ofctl("add-tlv-map", "brgo", "{class=0x0102,type=0x01,len=4}->tun_metadata0,{class=0x0102,type=0x02,len=4}->tun_metadata1,"
                    + "{class=0x0102,type=0x81,len=4}->tun_metadata2");
            ovs.ofctl("del-flows", "brgo");
            ovs.ofctl("add-flow", "brgo", "priority=20,in_port=gno,tun_metadata0=0xa,actions=output:pvmo");
            ovs.ofctl("add-flow", "brgo", "priority=10,in_port=gno,actions=output:pvmo");
            ovs.ofctl("add-flow", "brgo", "priority=10,in_port=pvmo,actions=set_field:0x5a5a5a5a->tun_metadata1,output:gno");

            dist.awaitReady(60_000);
            overlay(dist, "gn", "geneve", GENEVE_VNI, 6081, "mtu=1450");
            overlay(dist, "vx", "vxlan", VXLAN_VNI, 4789, "mtu=1450");
            overlay(dist, "go", "geneve", OPTIONS_VNI, 6081, "mtu=" + OPTIONS_MTU, "geneve/options=0102:01:0000000a");
            overlay(dist, "gc", "geneve", CRITICAL_VNI, 6081, "geneve/options=0102:83:0000000c");
            TestNetwork.plug(host, "tgn", vmA, "192.168.87.1/24");
            TestNetwork.plug(host, "tvx", vmA, "192.168.88.1/24");
            TestNetwork.plug(host, "tgo", vmA, "192.168.89.1/24");
            TestNetwork.plug(host, "tgc", vmA, "192.168.90.1/24");
            String offloads = dist.adm("overlay:stats");
            assertTrue("udp_gso off by itself over the veth: " + offloads,
                    offloads.matches("(?s).*geneve udp " + APPLIANCE + ":6081\\s+udp_gso\\s+off: the underlay device completes no checksums.*"));

            // ---- Geneve: pings both ways, tshark decoding them
            List<String> rows = TestNetwork.pingBothWaysCapturing(host, "udp port 6081", 16, "geneve", vmA, "192.168.87.1", vmO, "192.168.87.2",
                    "ip.src", "geneve.version", "geneve.proto_type", "geneve.vni", "udp.checksum", "icmp.type");
            TestNetwork.assertGeneveRows(rows, 16, GENEVE_VNI);
            TestNetwork.assertEchoesBothWays(rows, APPLIANCE, "192.168.87.1", OVS, "192.168.87.2");
            System.out.println("OvsInteropIT: Geneve decoded (ip.src,version,proto_type,vni,udp.checksum,icmp.type):\n  " + String.join("\n  ", rows));
            bigPingBothWays(vmA, "192.168.87.1", vmO, "192.168.87.2");
            tcp(vmA, vmO, "192.168.87.2");
            tcp(vmO, vmA, "192.168.87.1");

            // ---- VXLAN: the same
            List<String> vxRows = TestNetwork.pingBothWaysCapturing(host, "udp port 4789", 16, "vxlan", vmA, "192.168.88.1", vmO, "192.168.88.2",
                    "ip.src", "vxlan.vni", "icmp.type");
            assertEquals(vxRows.toString(), 16, vxRows.size());
            for (String row : vxRows) {
                assertEquals("VNI in " + row, Integer.toString(VXLAN_VNI), row.split(",", -1)[1]);
            }
            TestNetwork.assertEchoesBothWays(vxRows, APPLIANCE, "192.168.88.1", OVS, "192.168.88.2");
            bigPingBothWays(vmA, "192.168.88.1", vmO, "192.168.88.2");
            tcp(vmA, vmO, "192.168.88.2");
            tcp(vmO, vmA, "192.168.88.1");

            // ---- Geneve options both ways, not critical: each side takes the other's, tshark decodes both
            List<String> optRows = TestNetwork.pingBothWaysCapturing(host, "udp port 6081", 16, "geneve", vmA, "192.168.89.1", vmO,
                    "192.168.89.2", "ip.src", "geneve.vni", "geneve.option.class", "geneve.option.type", "icmp.type");
            System.out.println("OvsInteropIT: Geneve options decoded (ip.src,vni,option.class,option.type,icmp.type):\n  " + String.join("\n  ", optRows));
            TestNetwork.assertEchoesBothWays(optRows, APPLIANCE, "192.168.89.1", OVS, "192.168.89.2");
            for (String row : optRows) {
                String[] f = row.split(",", -1);
                assertEquals("VNI in " + row, OPTIONS_VNI, (long) Long.decode(f[1]));
                String type = f[0].startsWith(APPLIANCE) ? "0x01" : "0x02"; // the appliance's option; OVS's
                assertEquals("option of " + row, List.of("0x0102", type), List.of(f[2], f[3]));
            }
            assertTrue("OVS matched the appliance's option 0102:01 = 0x0000000a", ovs.flowPackets("brgo", "tun_metadata0=0xa") > 0);

            // ---- critical options, both ways: refused and counted on the overlay (the appliance), as invalid metadata (OVS)
            ovs.ofctl("mod-flows", "brgo", "priority=10,in_port=pvmo,actions=set_field:0x5a5a5a5a->tun_metadata2,output:gno");
            long before = TestNetwork.drops(dist, "go", "geneve_critical_option", "go");
            try (TestNetwork.Capture capture = TestNetwork.Capture.start(host, TestNetwork.UNDERLAY, geneveFrom(OVS, OPTIONS_VNI), 3)) {
                Netns.Result refused = vmO.exec("ping", "-c", "3", "-i", "0.2", "-W", "1", "192.168.89.1");
                assertTrue("pings with OVS's critical option get no answer: " + refused, refused.exitCode != 0);
                capture.awaitDone(20);
                List<String> critical = capture.decode("geneve", "ip.src", "geneve.flags.critical", "geneve.option.type");
                assertEquals("three packets of OVS's: " + critical, 3, critical.size());
                for (String row : critical) { // ip.src: the outer address, and the inner one of an IP packet (not of an ARP request)
                    String[] f = row.split(",", -1);
                    assertTrue("from OVS: " + row, f[0].equals(OVS) || f[0].startsWith(OVS + ";"));
                    assertEquals("OVS's critical option in " + row, "0x81", f[2]);
                }
            }
            Await.until("the appliance counts OVS's critical options on overlay go", 10_000,
                    Await.check(() -> TestNetwork.drops(dist, "go", "geneve_critical_option", "go") >= before + 3));
            assertEquals("and not on the socket", 0, TestNetwork.drops(dist, "geneve udp", "geneve_critical_option"));
            String series = "overlaygate_overlay_dropped_packets_total{overlay=\"go\",reason=\"geneve_critical_option\"}";
            Await.until("/metrics shows them on overlay go", 10_000, Await.check(() -> MetricsIT.sample(metrics(host), series) >= before + 3));

            long invalid = ovs.coverage("drop_action_invalid_tunnel_metadata");
            try (TestNetwork.Capture capture = TestNetwork.Capture.start(host, TestNetwork.UNDERLAY, geneveFrom(APPLIANCE, CRITICAL_VNI), 2)) {
                Netns.Result refused = vmA.exec("ping", "-c", "2", "-i", "0.2", "-W", "1", "192.168.90.2");
                assertTrue("nothing answers past OVS: " + refused, refused.exitCode != 0);
                capture.awaitDone(20);
                List<String> critical = capture.decode("geneve", "ip.src", "geneve.vni", "geneve.flags.critical", "geneve.option.type");
                assertEquals("two packets of the appliance's: " + critical, 2, critical.size());
                for (String row : critical) {
                    String[] f = row.split(",", -1);
                    assertTrue("from the appliance: " + row, f[0].equals(APPLIANCE) || f[0].startsWith(APPLIANCE + ";"));
                    assertEquals("VNI in " + row, CRITICAL_VNI, (long) Long.decode(f[1]));
                    assertTrue("C set in " + row, f[2].equals("1") || f[2].equalsIgnoreCase("True"));
                    assertEquals("the critical option in " + row, "0x83", f[3]);
                }
            }
            Await.until("OVS refuses the appliance's unknown critical option: drop_action_invalid_tunnel_metadata", 10_000,
                    Await.check(() -> ovs.coverage("drop_action_invalid_tunnel_metadata") > invalid));
            assertTrue("OVS says why: " + ovs.log(), ovs.log().contains("Invalid Geneve tunnel metadata"));
        }
    }

    /** A VM's veth, its non-OVS end in {@code vm} (tx offloads off) and its OVS end ("p" + name) on a new netdev bridge. */
    private static void vmBehindOvs(OvsSwitch ovs, Netns ovsHost, Netns vm, String bridge, String name, String address, int mtu) throws Exception {
        Netns.run("ip", "link", "add", name, "netns", vm.name(), "type", "veth", "peer", "name", "p" + name, "netns", ovsHost.name()).check();
        vm.exec("ethtool", "-K", name, "tx", "off").check();
        vm.exec("ip", "addr", "add", address + "/24", "dev", name).check();
        vm.exec("ip", "link", "set", name, "mtu", Integer.toString(mtu), "up").check();
        ovsHost.exec("ip", "link", "set", "p" + name, "mtu", Integer.toString(mtu), "up").check();
        ovs.addBridge(bridge, "p" + name);
    }

    /** An overlay to OVS's underlay address with a TAP VNIC named "t" + name, left in the host. */
    private static void overlay(Distribution dist, String name, String encap, int vni, int port, String... properties) throws Exception {
        StringBuilder p = new StringBuilder(encap + "/listen_ip=" + APPLIANCE + ",direct/dest_ip=" + OVS + ",direct/dest_port=" + port);
        for (String property : properties) {
            p.append(',').append(property);
        }
        dist.adm("overlay:create", "-e", encap, "-s", "direct", "-v", Integer.toString(vni), "-p", p.toString(), name);
        dist.adm("vnic:create", "-l", name, "-t", "t" + name, "v" + name);
    }

    /** A 1450-byte IPv4 packet (the overlay's MTU) with DF, each way: nothing fragments it, nothing refuses it. */
    private static void bigPingBothWays(Netns a, String ipA, Netns b, String ipB) throws Exception {
        Netns.Result there = a.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", "1422", ipB);
        assertEquals("1450 bytes with DF to " + ipB + ": " + there, 0, there.exitCode);
        Netns.Result back = b.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", "1422", ipA);
        assertEquals("1450 bytes with DF to " + ipA + ": " + back, 0, back.exitCode);
    }

    /** GET /metrics of the appliance in {@code host} (the default port, in the test's own namespace). */
    private static String metrics(Netns host) throws Exception {
        return host.call(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", 8470)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        });
    }

    /** A capture filter: Geneve packets from {@code source} with this VNI (the header's second word, VNI << 8). */
    private static String geneveFrom(String source, int vni) {
        return "src host " + source + " and udp dst port 6081 and udp[12:4] = 0x" + Integer.toHexString(vni << 8);
    }

    /**
     * iperf3 TCP, 8 MiB from {@code client}'s namespace to {@code server} in the other: the test
     * completes (iperf3 exits 0 once all of it is acknowledged) and the server counts what it
     * received (up to the client's end of test, so what was still in flight is not in its figure).
     */
    private static void tcp(Netns client, Netns serverSide, String server) throws Exception {
        File log = File.createTempFile("iperf3-server", ".log");
        try {
            Process iperf = serverSide.start(log, "iperf3", "-s", "-1", "-B", server);
            SystemTests.awaitListening(serverSide, 5201);
            Netns.Result r = client.exec(60_000, "iperf3", "-c", server, "-n", "8M", "-f", "m");
            assertEquals(r.toString() + Files.readString(log.toPath()), 0, r.exitCode);
            assertTrue("the iperf3 server ends after its one test: " + Files.readString(log.toPath()), iperf.waitFor(20, TimeUnit.SECONDS));
            List<String> received = Files.readString(log.toPath()).lines().filter(l -> l.contains("receiver")).collect(Collectors.toList());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s([0-9.]+) MBytes\\s").matcher(received.isEmpty() ? "" : received.get(0));
            assertTrue("the server received data: " + received, received.size() == 1 && m.find() && Double.parseDouble(m.group(1)) > 0);
            r.output.lines().filter(l -> l.contains("sender")).forEach(l -> System.out.println("OvsInteropIT: TCP to " + server + ": " + l.trim()));
        } finally {
            log.delete();
        }
    }
}
