package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, tshark, iperf3, ethtool): the appliance interoperates with the Linux
 * kernel's own VXLAN device. The kernel side lives in a namespace joined to the root namespace by a
 * veth pair (the underlay); the appliance's TAP VNIC lives in another namespace. Both sides ping
 * each other, tshark decodes the captured underlay packets as VXLAN with the overlay's VNI and the
 * inner ICMP, and TCP runs both ways with iperf3 (the appliance with every offload its kernel has:
 * GSO trains one way, GRO trains and coalesced TAP writes the other).
 *
 * <p>The kernel's vxlan device gets {@code ethtool -K vx0 tx off}: a veth, unlike a NIC, completes
 * no checksums, so without it the kernel would hand the underlay inner TCP segments whose checksum
 * is still partial (and 64 KiB tunnel segments nobody cut), which only another kernel in the same
 * machine can take. Through a real NIC the hardware completes them.
 */
public class KernelVxlanInteropIT {
    private static final int VNI = 4242;

    @Test
    public void pingsBothWaysWithTheKernelVxlanAndTsharkDecodesTheUnderlay() throws Exception {
        SystemTests.assumeSystem("KernelVxlanInteropIT", "ping", "tshark", "iperf3", "ethtool", "ss");
        int net = SystemTests.subnet();
        String underlayRoot = "10.199." + net + ".1";
        String underlayKernel = "10.199." + net + ".2";
        String veth = SystemTests.linkName("ogvx");
        String vethInside = SystemTests.linkName("ogvk");
        String tap = SystemTests.linkName("ogtk");
        File capture = File.createTempFile("vxlan", ".pcap");
        capture.delete();
        try (Distribution dist = Distribution.copy(); Netns app = Netns.create("ogapp"); Netns kern = Netns.create("ogkern")) {
            kern.addVeth(veth, vethInside);
            Netns.run("ip", "addr", "add", underlayRoot + "/24", "dev", veth).check();
            Netns.run("ip", "link", "set", veth, "up").check();
            kern.exec("ip", "addr", "add", underlayKernel + "/24", "dev", vethInside).check();
            kern.exec("ip", "link", "set", vethInside, "up").check();
            kern.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", Integer.toString(VNI), "remote", underlayRoot, "local",
                    underlayKernel, "dstport", "4789").check();
            kern.exec("ip", "link", "set", "vx0", "mtu", "1400").check();
            kern.exec("ip", "addr", "add", "192.168.78.2/24", "dev", "vx0").check();
            kern.exec("ip", "link", "set", "vx0", "up").check();
            kern.exec("ethtool", "-K", "vx0", "tx", "off").check();

            dist.start();
            dist.awaitReady(60_000);
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlayRoot,
                    "-p", "direct/dest_ip=" + underlayKernel, "-p", "direct/dest_port=4789", "ovlk");
            dist.adm("vnic:create", "-l", "ovlk", "-t", tap, "vnick");
            SystemTests.plug(app, tap, "192.168.78.1/24");

            File tsharkLog = File.createTempFile("tshark", ".log");
            Process tshark = new ProcessBuilder("tshark", "-i", veth, "-f", "udp port 4789", "-c", "16", "-w", capture.getPath())
                    .redirectErrorStream(true).redirectOutput(tsharkLog).start();
            try {
                waitForCapture(tsharkLog);
                Netns.Result out = app.exec("ping", "-c", "4", "-i", "0.2", "-W", "2", "192.168.78.2");
                assertEquals("appliance -> kernel VXLAN: " + out, 0, out.exitCode);
                Netns.Result in = kern.exec("ping", "-c", "4", "-i", "0.2", "-W", "2", "192.168.78.1");
                assertEquals("kernel VXLAN -> appliance: " + in, 0, in.exitCode);
                assertTrue("tshark captured 16 packets: " + Files.readString(tsharkLog.toPath()), tshark.waitFor(30, TimeUnit.SECONDS));
            } finally {
                tshark.destroy();
                tshark.waitFor(5, TimeUnit.SECONDS);
                tsharkLog.delete();
            }

            Netns.Result decoded = Netns.run("tshark", "-r", capture.getPath(), "-T", "fields", "-E", "separator=,", "-E", "aggregator=;", "-e",
                    "vxlan.vni", "-e", "ip.src", "-e", "icmp.type", "-e", "udp.srcport", "-e", "udp.checksum", "-e", "ip.flags.df");
            assertEquals(decoded.toString(), 0, decoded.exitCode);
            List<String> rows = decoded.output.lines().filter(l -> l.matches("\\d+,.*")).collect(Collectors.toList());
            assertEquals(decoded.output, 16, rows.size());
            for (String row : rows) {
                assertEquals("VNI in " + row, Integer.toString(VNI), row.split(",")[0]);
            }
            List<String> icmp = rows.stream().filter(r -> r.split(",", -1)[2].matches("[08]")).collect(Collectors.toList());
            assertTrue("inner ICMP echoes decoded: " + rows, icmp.size() >= 8);
            assertTrue("both directions captured: " + icmp, icmp.stream().anyMatch(r -> r.contains(underlayRoot) && r.contains("192.168.78.1"))
                    && icmp.stream().anyMatch(r -> r.contains(underlayKernel) && r.contains("192.168.78.2")));
            // RFC 7348 section 5: zero UDP checksums, unless the appliance sends GSO trains, which
            // Linux segments only with checksums (left for the device to complete: a veth does not).
            boolean gso = dist.adm("overlay:stats").matches("(?s).*vxlan udp " + underlayRoot + ":\\d+\\s+udp_gso\\s+on\\n.*");
            for (String row : rows.stream().filter(r -> r.split(",")[1].startsWith(underlayRoot)).collect(Collectors.toList())) {
                String[] f = row.split(",", -1);
                if (gso) {
                    assertTrue("with udp_gso the appliance's UDP checksums are not zero: " + row, !f[4].equals("0x0000"));
                } else {
                    assertEquals("the appliance sends zero UDP checksums: " + row, "0x0000", f[4]);
                }
                assertTrue("the appliance sets DF on the outer packet: " + row, f[5].startsWith("1") || f[5].startsWith("True"));
            }
            assertTrue("the appliance sends from the RFC 7348 source-port range",
                    rows.stream().filter(r -> r.contains("," + underlayRoot)).allMatch(r -> Integer.parseInt(r.split(",")[3]) >= 49152));

            tcp(app, kern, "192.168.78.2"); // appliance -> kernel
            tcp(kern, app, "192.168.78.1"); // kernel -> appliance
        } finally {
            capture.delete();
        }
    }

    /** iperf3 TCP for 2 s from {@code client}'s namespace to {@code server} in the other: it must carry at least 100 Mbit/s. */
    private static void tcp(Netns client, Netns serverSide, String server) throws Exception {
        File log = File.createTempFile("iperf3-server", ".log");
        try {
            serverSide.start(log, "iperf3", "-s", "-1", "-B", server);
            SystemTests.awaitListening(serverSide, 5201);
            Netns.Result r = client.exec(60_000, "iperf3", "-c", server, "-t", "2", "-J");
            assertEquals(r.toString() + Files.readString(log.toPath()), 0, r.exitCode);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)")
                    .matcher(r.output);
            assertTrue(r.output, m.find());
            double bps = Double.parseDouble(m.group(1));
            System.out.printf("KernelVxlanInteropIT: TCP to %s at %.0f Mbit/s%n", server, bps / 1e6);
            assertTrue("TCP to " + server + " at " + bps + " bit/s", bps > 100e6);
        } finally {
            log.delete();
        }
    }

    private static void waitForCapture(File log) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (Files.readString(log.toPath()).contains("Capturing on")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("tshark did not start capturing: " + Files.readString(log.toPath()));
    }
}
