package org.overlaygate.itests;

import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Assume;
import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, tshark, and a kernel with the geneve module): the appliance
 * interoperates with the Linux kernel's own Geneve device, the reference implementation. The
 * appliance runs in one host namespace, the kernel's {@code geneve} device in another, cabled
 * together; the appliance's VM pings the kernel side and back, and tshark decodes both directions as
 * Geneve with the VNI and the inner ICMP. Skipped, saying why, where the kernel has no geneve
 * module (no {@code ip link add ... type geneve}); {@link OvsInteropIT} tests Geneve against Open
 * vSwitch's userspace datapath, which needs none, everywhere.
 */
public class KernelGeneveInteropIT {
    private static final int VNI = 7002;

    @Test
    public void pingsBothWaysWithTheKernelGeneveDevice() throws Exception {
        SystemTests.assumeSystem("KernelGeneveInteropIT", "ping", "tshark");
        assumeKernelGeneve();
        try (Netns hostA = TestNetwork.quiet("ogkga"); Netns kernel = TestNetwork.quiet("ogkgk"); Netns vmA = TestNetwork.quiet("ogkgv");
                Distribution dist = Distribution.copy()) {
            TestNetwork.cable(hostA, "10.62.0.1", kernel, "10.62.0.2");
            kernel.exec("ip", "link", "add", "gnv0", "type", "geneve", "id", Integer.toString(VNI), "remote", "10.62.0.1").check();
            kernel.exec("ip", "link", "set", "gnv0", "mtu", "1450").check();
            kernel.exec("ip", "addr", "add", "192.168.83.2/24", "dev", "gnv0").check();
            kernel.exec("ip", "link", "set", "gnv0", "up").check();

            dist.startIn(hostA);
            dist.awaitReady(60_000);
            dist.adm("overlay:create", "-e", "geneve", "-s", "direct", "-v", Integer.toString(VNI), "-p", "geneve/listen_ip=10.62.0.1",
                    "-p", "direct/dest_ip=10.62.0.2", "-p", "direct/dest_port=6081", "genk");
            dist.adm("vnic:create", "-l", "genk", "-t", "gtap", "vk");
            TestNetwork.plug(hostA, "gtap", vmA, "192.168.83.1/24");

            List<String> rows = TestNetwork.pingBothWaysCapturing(hostA, "udp port 6081", 16, "geneve", vmA, "192.168.83.1", kernel,
                    "192.168.83.2", "ip.src", "geneve.version", "geneve.proto_type", "geneve.vni", "icmp.type");
            TestNetwork.assertGeneveRows(rows, 16, VNI);
            TestNetwork.assertEchoesBothWays(rows, "10.62.0.1", "192.168.83.1", "10.62.0.2", "192.168.83.2");
            assertTrue("the appliance refused nothing the kernel sent", !dist.adm("overlay:stats").contains("geneve_"));
        }
    }

    /** Skips, saying why, unless this kernel can make a geneve device (this needs the geneve module, or geneve built in). */
    private static void assumeKernelGeneve() throws Exception {
        try (Netns probe = Netns.create("ogkgp")) {
            Netns.Result r = probe.exec("ip", "link", "add", "gnv0", "type", "geneve", "id", "1", "remote", "10.62.0.9");
            String reason = null;
            if (r.exitCode != 0) {
                reason = SystemTests.NOT_ON_THIS_KERNEL + " " + System.getProperty("os.version") + " has no geneve device ('ip link add gnv0 type geneve ...' said: "
                        + r.output.trim() + "); the interoperation with the kernel's Geneve was not tested";
                System.out.println("SKIPPED KernelGeneveInteropIT: " + reason);
            }
            Assume.assumeTrue(reason, reason == null);
        }
    }
}
