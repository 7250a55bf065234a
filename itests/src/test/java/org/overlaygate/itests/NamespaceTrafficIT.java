package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, iperf3): the real distribution with two VXLAN overlays joined over
 * loopback, a TAP VNIC of each moved into its own network namespace; the namespaces ping each other
 * and run a TCP transfer through the appliance. A third namespace sits behind a veth pair whose
 * root end is attached to the second overlay through pcap: it reaches both others, across the
 * overlay and by local switching. After a restart the VNICs come back with the same TAP names and
 * MACs.
 */
public class NamespaceTrafficIT {

    @Test
    public void twoNamespacesPingAndTransferTcpThroughTheAppliance() throws Exception {
        SystemTests.assumeSystem("NamespaceTrafficIT", "ping", "iperf3");
        String tapA = SystemTests.linkName("ogta");
        String tapB = SystemTests.linkName("ogtb");
        String vethRoot = SystemTests.linkName("ogpr");
        String vethInside = SystemTests.linkName("ogpi");
        try (Distribution dist = Distribution.copy(); Netns a = Netns.create("oga"); Netns b = Netns.create("ogb");
                Netns c = Netns.create("ogc")) {
            Process appliance = dist.start();
            dist.awaitReady(60_000);
            int pa = SystemTests.freeUdpPort("127.0.0.1");
            int pb = SystemTests.freeUdpPort("127.0.0.2");
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4242", "-p", "vxlan/listen_ip=127.0.0.1", "-p",
                    "vxlan/listen_port=" + pa, "-p", "direct/dest_ip=127.0.0.2", "-p", "direct/dest_port=" + pb, "ovla");
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4242", "-p", "vxlan/listen_ip=127.0.0.2", "-p",
                    "vxlan/listen_port=" + pb, "-p", "direct/dest_ip=127.0.0.1", "-p", "direct/dest_port=" + pa, "ovlb");
            dist.adm("vnic:create", "-l", "ovla", "-t", tapA, "vnica");
            dist.adm("vnic:create", "-l", "ovlb", "-t", tapB, "vnicb");
            c.addVeth(vethRoot, vethInside);
            Netns.run("ip", "link", "set", vethRoot, "mtu", "1400", "up").check();
            c.exec("ip", "link", "set", vethInside, "address", "02:00:00:0c:0c:0c", "mtu", "1400").check();
            c.exec("ip", "addr", "add", "192.168.77.3/24", "dev", vethInside).check();
            c.exec("ip", "link", "set", vethInside, "up").check();
            dist.adm("vnic:create", "-l", "ovlb", "-a", vethRoot, "-m", "02:00:00:0c:0c:0c", "vnicc");
            String vnics = dist.adm("vnic:show", "-p", "-o", "link,device,macaddress,mtu");
            String overlays = dist.adm("overlay:show", "-p", "-o", "link,property,value");
            SystemTests.plug(a, tapA, "192.168.77.1/24");
            SystemTests.plug(b, tapB, "192.168.77.2/24");

            Netns.Result viaPcapAcross = c.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.77.1");
            assertEquals("pcap VNIC -> other overlay: " + viaPcapAcross, 0, viaPcapAcross.exitCode);
            Netns.Result viaPcapLocal = c.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.77.2");
            assertEquals("pcap VNIC -> TAP VNIC of the same overlay: " + viaPcapLocal, 0, viaPcapLocal.exitCode);

            Netns.Result ping = a.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", "192.168.77.2");
            assertEquals(ping.toString(), 0, ping.exitCode);
            assertTrue(ping.output, ping.output.contains("5 received"));
            Netns.Result back = b.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.77.1");
            assertEquals(back.toString(), 0, back.exitCode);

            File serverLog = File.createTempFile("iperf3-server", ".log");
            b.start(serverLog, "iperf3", "-s", "-1", "-B", "192.168.77.2");
            SystemTests.awaitListening(b, 5201);
            Netns.Result tcp = a.exec(60_000, "iperf3", "-c", "192.168.77.2", "-n", "20M", "-f", "m");
            assertEquals(tcp.toString() + Files.readString(serverLog.toPath()), 0, tcp.exitCode);
            assertTrue(tcp.output, tcp.output.contains("receiver"));
            serverLog.delete();

            // 20 MB out (thousands of MSS segments); the ACKs back are fewer than segments, the
            // more so since the far side takes the segments coalesced (a few hundred).
            String stats = dist.adm("overlay:stats", "ovla");
            assertTrue(stats, stats.lines().anyMatch(l -> l.matches("ovla\\s+\\d{3,}\\s+\\d+\\s+\\d{4,}\\s+.*")));

            dist.stop(appliance);
            dist.start();
            dist.awaitReady(60_000);
            assertEquals("VNICs come back with the same TAP names and MACs", vnics,
                    dist.adm("vnic:show", "-p", "-o", "link,device,macaddress,mtu"));
            assertEquals("overlays come back with every property", overlays, dist.adm("overlay:show", "-p", "-o", "link,property,value"));
            assertEquals("ovla:ONLINE\novlb:ONLINE\n", dist.adm("overlay:show", "-f", "-p", "-o", "link,status"));
            assertEquals(0, Netns.run("ip", "link", "show", tapA).exitCode);
        }
    }
}
