package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, iperf3, tshark): Geneve between two appliances, each in a host
 * namespace of its own cabled to the other, with a TAP VNIC in a VM namespace behind each. The VMs
 * ping and transfer TCP; tshark on the underlay decodes Geneve version 0, protocol type 0x6558, the
 * VNI and the inner ICMP, and the options one appliance is configured to send. Then the test itself
 * plays the other end of an overlay: frames with 0 to 252 bytes of options built here reach the VM
 * (its echo replies come back), and malformed headers are counted by their reasons: on the overlay
 * whose VNI the header names (as {@code overlay:stats genc} shows), on the socket when it names none.
 */
public class GeneveNamespaceIT {
    private static final int VNI = 7001;

    @Test
    public void twoAppliancesPingAndTransferTcpOverGeneveAndTsharkDecodesIt() throws Exception {
        SystemTests.assumeSystem("GeneveNamespaceIT", "ping", "iperf3", "tshark");
        // Namespaces first: the appliances are closed (SIGTERM, their TAPs go with them) before their namespaces.
        try (Netns hostA = TestNetwork.quiet("oggha"); Netns hostB = TestNetwork.quiet("ogghb"); Netns vmA = TestNetwork.quiet("oggva");
                Netns vmB = TestNetwork.quiet("oggvb"); Distribution distA = Distribution.copy(); Distribution distB = Distribution.copy()) {
            TestNetwork.cable(hostA, "10.61.0.1", hostB, "10.61.0.2");
            distA.startIn(hostA);
            distB.startIn(hostB);
            distA.awaitReady(60_000);
            distB.awaitReady(60_000);
            // A sends the most options a header may carry: 56 bytes (an 8-byte option and a 48-byte one, neither critical), so
            // its header fills the whole room in front of every frame, for pings and for segmented TCP; its MTU leaves room.
            distA.adm("overlay:create", "-e", "geneve", "-s", "direct", "-v", Integer.toString(VNI), "-p", "geneve/listen_ip=10.61.0.1",
                    "-p", "geneve/options=0102:01:0000000a,0102:02:" + "5a".repeat(44), "-p", "mtu=" + (1450 - 56), "-p",
                    "direct/dest_ip=10.61.0.2", "-p", "direct/dest_port=6081", "gena");
            distB.adm("overlay:create", "-e", "geneve", "-s", "direct", "-v", Integer.toString(VNI), "-p", "geneve/listen_ip=10.61.0.2",
                    "-p", "direct/dest_ip=10.61.0.1", "-p", "direct/dest_port=6081", "genb");
            assertTrue(distB.adm("overlay:show", "-p", "-o", "property,value", "genb").contains("mtu:1450"));
            distA.adm("vnic:create", "-l", "gena", "-t", "gtap", "va");
            distB.adm("vnic:create", "-l", "genb", "-t", "gtap", "vb");
            TestNetwork.plug(hostA, "gtap", vmA, "192.168.81.1/24");
            TestNetwork.plug(hostB, "gtap", vmB, "192.168.81.2/24");

            List<String> rows = TestNetwork.pingBothWaysCapturing(hostA, "udp port 6081", 20, "geneve", vmA, "192.168.81.1", vmB,
                    "192.168.81.2", "ip.src", "udp.srcport", "udp.dstport", "geneve.version", "geneve.flags.oam", "geneve.flags.critical",
                    "geneve.proto_type", "geneve.vni", "geneve.option.class", "geneve.option.type", "geneve.option.length", "icmp.type");
            assertTrue("Geneve decoded: " + rows, rows.size() >= 16);
            System.out.println("GeneveNamespaceIT: tshark decoded (ip.src,udp.srcport,udp.dstport,geneve.version,oam,critical,proto_type,vni,"
                    + "option.class,option.type,option.length,icmp.type):\n  " + String.join("\n  ", rows));
            for (String row : rows) {
                String[] f = row.split(",", -1);
                assertEquals("version 0 in " + row, "0", f[3]);
                assertTrue("O clear in " + row, f[4].equals("0") || f[4].equalsIgnoreCase("False"));
                assertTrue("C clear in " + row, f[5].equals("0") || f[5].equalsIgnoreCase("False"));
                assertEquals("Ethernet payload in " + row, "0x6558", f[6]);
                assertEquals("VNI in " + row, VNI, (long) Long.decode(f[7]));
                assertEquals("to the Geneve port: " + row, "6081", f[2]);
                if (f[0].startsWith("10.61.0.1")) {
                    assertEquals("A's options (classes, types; Opt Len and each option's length, in bytes) in " + row,
                            List.of("0x0102;0x0102", "0x01;0x02", "56;8;48"), List.of(f[8], f[9], f[10]));
                    assertTrue("A's source port from the flow hash range: " + row, Integer.parseInt(f[1]) >= 49152);
                } else {
                    assertEquals("B sends no options (Opt Len 0, no option): " + row, List.of("0", ""), List.of(f[10], f[8]));
                }
            }
            TestNetwork.assertEchoesBothWays(rows, "10.61.0.1", "192.168.81.1", "10.61.0.2", "192.168.81.2");

            File serverLog = File.createTempFile("iperf3-server", ".log");
            vmB.start(serverLog, "iperf3", "-s", "-1", "-B", "192.168.81.2");
            Await.until("iperf3 to listen", 10_000, Await.check(() -> vmB.exec("ss", "-ltn").output.contains("192.168.81.2:5201")));
            Netns.Result tcp = vmA.exec(60_000, "iperf3", "-c", "192.168.81.2", "-n", "20M", "-f", "m");
            assertEquals(tcp.toString() + Files.readString(serverLog.toPath()), 0, tcp.exitCode);
            tcp.output.lines().filter(l -> l.contains("receiver")).forEach(l -> System.out.println("GeneveNamespaceIT: iperf3 " + l.trim()));
            serverLog.delete();
            for (Distribution d : List.of(distA, distB)) {
                String stats = d.adm("overlay:stats");
                assertTrue("no Geneve header refused: " + stats, !stats.contains("geneve_"));
            }
        }
    }

    // ---------------------------------------------------------------- the test as the other end

    private static final String VM_MAC = GeneveFrames.VM_MAC;
    private static final String PEER_MAC = GeneveFrames.PEER_MAC;
    private static final String UNDERLAY = "geneve udp 127.0.0.1:6081";

    @Test
    public void framesWithOptionsBuiltHereReachTheVmAndBadHeadersAreCountedByReason() throws Exception {
        SystemTests.assumeSystem("GeneveNamespaceIT", "ping");
        try (Netns host = TestNetwork.quiet("ogghc"); Netns vm = TestNetwork.quiet("oggvc"); Distribution dist = Distribution.copy();
                DatagramChannel peer = host.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0)))) {
            int peerPort = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            dist.startIn(host);
            dist.awaitReady(60_000);
            dist.adm("overlay:create", "-e", "geneve", "-s", "direct", "-v", Integer.toString(VNI), "-p", "geneve/listen_ip=127.0.0.1",
                    "-p", "direct/dest_ip=127.0.0.2", "-p", "direct/dest_port=" + peerPort, "genc");
            dist.adm("vnic:create", "-l", "genc", "-m", VM_MAC, "-t", "gtap", "vc");
            TestNetwork.plug(host, "gtap", vm, "192.168.82.2/24");
            vm.exec("ip", "neigh", "add", "192.168.82.9", "lladdr", PEER_MAC, "dev", "gtap").check();
            InetSocketAddress appliance = new InetSocketAddress("127.0.0.1", 6081);
            peer.socket().setSoTimeout(10_000);

            int seq = 0;
            for (int optionBytes : new int[] {0, 4, 8, 124, 128, 252}) {
                seq++;
                peer.send(GeneveFrames.packet(0, 0, 0x6558, VNI, GeneveFrames.options(optionBytes, false), GeneveFrames.echoRequest(seq)),
                        appliance);
                assertEchoReply(peer, seq, optionBytes + " bytes of options");
            }

            Map<String, ByteBuffer> refused = new LinkedHashMap<>();
            refused.put("geneve_critical_option", GeneveFrames.packet(0, 0, 0x6558, VNI, GeneveFrames.options(8, true), GeneveFrames.echoRequest(90)));
            refused.put("geneve_oam", GeneveFrames.packet(0, 0x80, 0x6558, VNI, new byte[0], GeneveFrames.echoRequest(91)));
            refused.put("geneve_bad_version", GeneveFrames.packet(1, 0, 0x6558, VNI, new byte[0], GeneveFrames.echoRequest(92)));
            refused.put("geneve_bad_protocol", GeneveFrames.packet(0, 0, 0x0800, VNI, new byte[0], GeneveFrames.echoRequest(93)));
            ByteBuffer past = GeneveFrames.packet(0, 0, 0x6558, VNI, new byte[0], GeneveFrames.echoRequest(94));
            past.put(0, (byte) 0x3F); // 252 bytes of options claimed, fewer there
            refused.put("geneve_options_past_packet", past);
            ByteBuffer overrun = GeneveFrames.packet(0, 0, 0x6558, VNI, GeneveFrames.options(8, false), GeneveFrames.echoRequest(95));
            overrun.put(8 + 3, (byte) 5); // the option claims 20 bytes of data inside an 8-byte option area
            refused.put("geneve_bad_option_length", overrun);
            refused.put("geneve_short", ByteBuffer.wrap(new byte[] {0, 0, 0x65, 0x58, 0}));
            ByteBuffer critical = GeneveFrames.packet(0, 0x40, 0x6558, VNI, GeneveFrames.options(8, false), GeneveFrames.echoRequest(96));
            for (Map.Entry<String, ByteBuffer> e : refused.entrySet()) {
                peer.send(e.getValue(), appliance);
                // A header too short or of another version names no VNI: the socket's drop; any other names genc's, and is genc's.
                boolean socket = e.getKey().equals("geneve_short") || e.getKey().equals("geneve_bad_version");
                String row = socket ? UNDERLAY : "genc";
                Await.until(e.getKey() + " counted on " + row, 10_000, Await.check(() -> TestNetwork.drops(dist, row, e.getKey()) == 1));
                if (!socket) {
                    assertEquals("overlay:stats genc shows it", 1, TestNetwork.drops(dist, "genc", e.getKey(), "genc"));
                    assertEquals("and the socket does not count it again", 0, TestNetwork.drops(dist, UNDERLAY, e.getKey()));
                }
            }
            peer.send(critical, appliance); // C set: refused as critical whatever the options say
            Await.until("C counted as critical", 10_000,
                    Await.check(() -> TestNetwork.drops(dist, "genc", "geneve_critical_option") == 2));

            seq++;
            peer.send(GeneveFrames.packet(0, 0, 0x6558, VNI, GeneveFrames.options(16, false), GeneveFrames.echoRequest(seq)), appliance);
            assertEchoReply(peer, seq, "after the refusals: the receive thread lives, and no refused frame reached the VM");
            assertEquals("the decapsulator never threw", 0, TestNetwork.drops(dist, UNDERLAY, "decap_error"));
        }
    }

    /**
     * Receives the VM's echo reply to {@code seq}, encapsulated by the appliance without options,
     * passing over anything else the VM sends meanwhile.
     */
    private static void assertEchoReply(DatagramChannel peer, int seq, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> passed = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buf.array(), buf.capacity());
            try {
                peer.socket().receive(packet);
            } catch (SocketTimeoutException e) {
                break;
            }
            GeneveFrames.Reply r = GeneveFrames.Reply.parse(buf, packet.getLength());
            if (r == null || r.sequence != seq) {
                passed.add(Arrays.toString(Arrays.copyOf(buf.array(), Math.min(packet.getLength(), 48))));
                continue;
            }
            assertEquals(what, List.of(0, 0, 0, 0x6558, (long) VNI, PEER_MAC, VM_MAC, seq), List.of(r.version, r.optionBytes, r.flags,
                    r.protocol, r.vni, r.destination, r.source, r.sequence));
            return;
        }
        throw new AssertionError("no echo reply to seq " + seq + " (" + what + "); received instead: " + passed);
    }
}
