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
 * System test (root, ip, iperf3, tshark): two namespaces with TAP VNICs joined by NVGRE overlays of
 * the real distribution over loopback. They ping and run a TCP transfer; the captured underlay
 * packets decode in tshark as GRE with the key bit set, protocol 0x6558, key = VSID << 8 | FlowID
 * (a constant FlowID on one side, a flow hash on the other), and the inner Ethernet/IP frame.
 */
public class NvgreNamespaceIT {
    private static final int VSID = 5001;
    private static final int FLOW_ID = 7;

    @Test
    public void namespacesPingAndTransferOverNvgreAndTsharkDecodesGre() throws Exception {
        SystemTests.assumeSystem("NvgreNamespaceIT", "ping", "iperf3", "tshark");
        String tapA = SystemTests.linkName("ogna");
        String tapB = SystemTests.linkName("ognb");
        String a1 = "127.0.0." + (10 + SystemTests.subnet() % 100);
        String b1 = "127.0.0." + (120 + SystemTests.subnet() % 100);
        File capture = File.createTempFile("nvgre", ".pcap");
        capture.delete();
        try (Distribution dist = Distribution.copy(); Netns a = Netns.create("ogna"); Netns b = Netns.create("ognb")) {
            dist.start();
            dist.awaitReady(60_000);
            dist.adm("overlay:create", "-e", "nvgre", "-s", "direct", "-v", Integer.toString(VSID), "-p", "nvgre/listen_ip=" + a1, "-p",
                    "nvgre/flowid=" + FLOW_ID, "-p", "direct/dest_ip=" + b1, "nva");
            dist.adm("overlay:create", "-e", "nvgre", "-s", "direct", "-v", Integer.toString(VSID), "-p", "nvgre/listen_ip=" + b1, "-p",
                    "direct/dest_ip=" + a1, "nvb");
            String show = dist.adm("overlay:show", "-p", "-o", "property,value", "nva");
            assertTrue(show, show.contains("mtu:1458"));
            dist.adm("vnic:create", "-l", "nva", "-t", tapA, "va");
            dist.adm("vnic:create", "-l", "nvb", "-t", tapB, "vb");
            SystemTests.plug(a, tapA, "192.168.79.1/24");
            SystemTests.plug(b, tapB, "192.168.79.2/24");

            File tsharkLog = File.createTempFile("tshark", ".log");
            Process tshark = new ProcessBuilder("tshark", "-i", "lo", "-f", "ip proto 47 and host " + a1, "-w", capture.getPath())
                    .redirectErrorStream(true).redirectOutput(tsharkLog).start();
            try {
                for (int i = 0; i < 100 && !Files.readString(tsharkLog.toPath()).contains("Capturing on"); i++) {
                    Thread.sleep(100);
                }
                // Six echoes, eight packets needed: tshark may miss the first ones while it settles.
                Netns.Result ping = a.exec("ping", "-c", "6", "-i", "0.2", "-W", "2", "192.168.79.2");
                assertEquals(ping.toString(), 0, ping.exitCode);
                long written = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // until tshark has written them
                while (Netns.run("tshark", "-r", capture.getPath(), "-Y", "icmp").output.lines().filter(l -> l.contains("ICMP")).count() < 8
                        && System.nanoTime() < written) {
                    Thread.sleep(100);
                }
            } finally {
                tshark.destroy(); // SIGTERM: tshark finishes the file
                tshark.waitFor(10, TimeUnit.SECONDS);
                tsharkLog.delete();
            }

            File serverLog = File.createTempFile("iperf3-server", ".log");
            b.start(serverLog, "iperf3", "-s", "-1", "-B", "192.168.79.2");
            SystemTests.awaitListening(b, 5201);
            Netns.Result tcp = a.exec(60_000, "iperf3", "-c", "192.168.79.2", "-n", "20M", "-f", "m");
            assertEquals(tcp.toString() + Files.readString(serverLog.toPath()), 0, tcp.exitCode);
            serverLog.delete();

            Netns.Result decoded = Netns.run("tshark", "-r", capture.getPath(), "-Y", "icmp", "-T", "fields", "-E", "separator=,", "-E",
                    "aggregator=;", "-e", "gre.flags.key", "-e", "gre.proto", "-e", "gre.key", "-e", "ip.src", "-e", "eth.src", "-e", "icmp.type");
            assertEquals(decoded.toString(), 0, decoded.exitCode);
            List<String> rows = decoded.output.lines().filter(l -> l.contains(",0x6558,")).collect(Collectors.toList());
            assertTrue("ICMP over GRE decoded: " + decoded.output, rows.size() >= 8);
            for (String row : rows) {
                String[] f = row.split(",");
                assertTrue("key bit in " + row, f[0].equals("1") || f[0].equalsIgnoreCase("True"));
                long key = Long.decode(f[2]);
                assertEquals("VSID in " + row, VSID, key >>> 8);
                if (f[3].split(";")[0].equals(a1)) { // the outer source: exactly, 127.0.0.18 is not 127.0.0.184
                    assertEquals("nva's constant FlowID in " + row, ((long) VSID << 8) | FLOW_ID, key);
                }
                assertTrue("inner IPv4 decoded in " + row, f[3].contains("192.168.79."));
                assertTrue("inner ICMP echo in " + row, f[5].equals("8") || f[5].equals("0"));
            }
            assertTrue("both directions", rows.stream().anyMatch(r -> r.split(",")[3].split(";")[0].equals(a1))
                    && rows.stream().anyMatch(r -> r.split(",")[3].split(";")[0].equals(b1)));
        } finally {
            capture.delete();
        }
    }
}
