package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System tests (root, ip, bridge, ping): search-multicast interoperates with the Linux kernel's own
 * VXLAN in both of its flood-and-learn modes, with no per-MAC entry anywhere, and three appliances
 * find each other in one group.
 *
 * <p>Kernel tests: the kernel's VXLAN device lives in a namespace joined to the root namespace by a
 * veth pair (the underlay); the appliance runs in the root namespace on the root end; its TAP VNIC
 * is moved into a namespace of its own. Three-host test: three namespaces, each running an
 * appliance whose TAP VNIC stays in its namespace, joined by a bridge in a fourth.
 */
public class MulticastNamespaceIT {
    private static final int VNI = 5151;

    /** The kernel's side: a namespace with a veth to the root namespace, a VXLAN device configured by {@code vxlanArgs}. */
    private static String kernelSide(Netns kern, String veth, String vethInside, String underlayRoot, String underlayKernel,
            List<String> vxlanArgs) throws Exception {
        kern.addVeth(veth, vethInside);
        Netns.run("ip", "addr", "add", underlayRoot + "/24", "dev", veth).check();
        Netns.run("ip", "link", "set", veth, "up").check();
        kern.exec("ip", "addr", "add", underlayKernel + "/24", "dev", vethInside).check();
        kern.exec("ip", "link", "set", vethInside, "up").check();
        List<String> add = new java.util.ArrayList<>(List.of("ip", "link", "add", "vx0", "type", "vxlan", "id", Integer.toString(VNI)));
        add.addAll(vxlanArgs);
        add.addAll(List.of("dstport", "4789"));
        kern.exec(add.toArray(new String[0])).check();
        kern.exec("ip", "link", "set", "vx0", "mtu", "1400").check();
        kern.exec("ip", "addr", "add", "192.168.79.2/24", "dev", "vx0").check();
        kern.exec("ip", "link", "set", "vx0", "up").check();
        return "vx0";
    }

    private static void pingBothWays(Netns app, Netns kern) throws Exception {
        Netns.Result out = app.exec("ping", "-c", "4", "-i", "0.2", "-W", "2", "192.168.79.2");
        assertEquals("appliance -> kernel VXLAN: " + out, 0, out.exitCode);
        Netns.Result in = kern.exec("ping", "-c", "4", "-i", "0.2", "-W", "2", "192.168.79.1");
        assertEquals("kernel VXLAN -> appliance: " + in, 0, in.exitCode);
    }

    @Test
    public void theKernelsVxlanInGroupModeAndTheApplianceReachEachOtherWithNoStaticEntries() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping", "bridge");
        int net = SystemTests.subnet();
        String underlayRoot = "10.197." + net + ".1";
        String underlayKernel = "10.197." + net + ".2";
        String group = "239.1." + net + ".1";
        String veth = SystemTests.linkName("ogmr");
        String vethInside = SystemTests.linkName("ogmk");
        String tap = SystemTests.linkName("ogmt");
        try (Distribution dist = Distribution.copy(); Netns app = Netns.create("ogapp"); Netns kern = Netns.create("ogkern")) {
            kernelSide(kern, veth, vethInside, underlayRoot, underlayKernel, List.of("group", group, "dev", vethInside));
            dist.start();
            dist.awaitReady(60_000);
            dist.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlayRoot,
                    "-p", "multicast/group=" + group, "-p", "multicast/interface=" + veth, "ovlm");
            dist.adm("vnic:create", "-l", "ovlm", "-t", tap, "vnicm");
            SystemTests.plug(app, tap, "192.168.79.1/24");

            pingBothWays(app, kern);

            String targets = dist.adm("overlay:show", "-t", "ovlm");
            assertTrue("the group floods: " + targets, targets.lines().anyMatch(l -> l.matches("ovlm\\s+flood\\s+valid\\s+plugin\\s+--\\s+"
                    + group.replace(".", "\\.") + ":4789")));
            assertTrue("the kernel's MAC was learned behind its address: " + targets,
                    targets.lines().anyMatch(l -> l.matches("ovlm\\s+\\S{17}\\s+valid\\s+learned\\s+\\S+\\s+" + underlayKernel.replace(".", "\\.")
                            + ":4789")));
            Netns.Result fdb = kern.exec("bridge", "fdb", "show", "dev", "vx0");
            assertTrue("the kernel learned the appliance's VNIC behind the appliance: " + fdb, fdb.output.contains("dst " + underlayRoot));
            String stats = dist.adm("overlay:stats", "ovlm");
            assertTrue(stats, stats.lines().anyMatch(l -> l.matches("ovlm\\s+learned\\s+[1-9]\\d*")));
        }
    }

    @Test
    public void theKernelsVxlanWithAllZerosEntriesAndTheApplianceWithPeersReachEachOther() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping", "bridge");
        int net = SystemTests.subnet();
        String underlayRoot = "10.196." + net + ".1";
        String underlayKernel = "10.196." + net + ".2";
        String veth = SystemTests.linkName("ogpr");
        String vethInside = SystemTests.linkName("ogpk");
        String tap = SystemTests.linkName("ogpt");
        try (Distribution dist = Distribution.copy(); Netns app = Netns.create("ogapp"); Netns kern = Netns.create("ogkern")) {
            kernelSide(kern, veth, vethInside, underlayRoot, underlayKernel, List.of("local", underlayKernel));
            kern.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", underlayRoot).check();
            dist.start();
            dist.awaitReady(60_000);
            dist.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlayRoot,
                    "-p", "multicast/peers=" + underlayKernel, "ovlp");
            dist.adm("vnic:create", "-l", "ovlp", "-t", tap, "vnicp");
            SystemTests.plug(app, tap, "192.168.79.1/24");

            pingBothWays(app, kern);

            String targets = dist.adm("overlay:show", "-t", "ovlp");
            assertTrue("learned behind the kernel: " + targets,
                    targets.lines().anyMatch(l -> l.matches("ovlp\\s+\\S{17}\\s+valid\\s+learned\\s+\\S+\\s+" + underlayKernel.replace(".", "\\.")
                            + ":4789")));
        }
    }

    /** Every host pings every other host's VM address {@code vmPrefix + (j + 1)}. */
    private static void pingAll(TestHosts net, int hosts, String vmPrefix) throws Exception {
        for (int i = 0; i < hosts; i++) {
            for (int j = 0; j < hosts; j++) {
                if (i != j) {
                    Netns.Result ping = net.host(i).exec("ping", "-c", "3", "-i", "0.2", "-W", "2", vmPrefix + (j + 1));
                    assertEquals("host " + i + " -> host " + j + ": " + ping, 0, ping.exitCode);
                }
            }
        }
    }

    private static long learnedEntries(String targets, String overlay) {
        return targets.lines().filter(l -> l.matches(overlay + "\\s+\\S{17}\\s+valid\\s+learned\\s+.*")).count();
    }

    @Test
    public void threeAppliancesInOneGroupReachEachOther() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping");
        int net = SystemTests.subnet();
        String group = "239.2." + net + ".1";
        String underlay = "10.195." + net + ".";
        try (TestHosts hosts = TestHosts.create("oghost", underlay + "1/24", underlay + "2/24", underlay + "3/24")) {
            Distribution first = null;
            for (int i = 0; i < 3; i++) {
                Distribution d = hosts.startAppliance(i);
                first = first == null ? d : first;
                d.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlay + (i + 1),
                        "-p", "multicast/group=" + group, "-p", "multicast/interface=" + TestNetwork.UNDERLAY, "ovl" + i);
                d.adm("vnic:create", "-l", "ovl" + i, "-t", "vm" + i, "vnic" + i);
                hosts.plugVm(i, "vm" + i, "192.168.81." + (i + 1) + "/24");
            }
            pingAll(hosts, 3, "192.168.81.");
            String targets = first.adm("overlay:show", "-t", "ovl0");
            assertEquals("host 0 learned both others: " + targets, 2, learnedEntries(targets, "ovl0"));
        }
    }

    /**
     * As a new user would: two hosts with only the kernel's VXLAN in multicast mode and one host
     * with the appliance join one network through one group, with no per-MAC configuration anywhere.
     */
    @Test
    public void twoKernelHostsAndAnApplianceJoinOneNetworkThroughOneGroup() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping");
        int net = SystemTests.subnet();
        String group = "239.4." + net + ".1";
        String underlay = "10.193." + net + ".";
        try (TestHosts hosts = TestHosts.create("ogmix", underlay + "1/24", underlay + "2/24", underlay + "3/24")) {
            for (int i = 1; i < 3; i++) { // hosts 1 and 2: the kernel alone
                Netns h = hosts.host(i);
                h.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", Integer.toString(VNI), "group", group, "dev", TestNetwork.UNDERLAY, "dstport", "4789")
                        .check();
                h.exec("ip", "link", "set", "vx0", "mtu", "1400").check();
                hosts.plugVm(i, "vx0", "192.168.83." + (i + 1) + "/24");
            }
            Distribution appliance = hosts.startAppliance(0);
            appliance.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlay + "1",
                    "-p", "multicast/group=" + group, "-p", "multicast/interface=" + TestNetwork.UNDERLAY, "ovl");
            appliance.adm("vnic:create", "-l", "ovl", "-t", "vm0", "vnic");
            hosts.plugVm(0, "vm0", "192.168.83.1/24");
            pingAll(hosts, 3, "192.168.83.");
            String targets = appliance.adm("overlay:show", "-t", "ovl");
            assertEquals("both kernels learned: " + targets, 2, learnedEntries(targets, "ovl"));
        }
    }

    /** Two appliances over an IPv6 underlay (the JDK's sockets and MLD) find each other through one group. */
    @Test
    public void twoAppliancesOverAnIpv6UnderlayFindEachOtherThroughAGroup() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping");
        int net = SystemTests.subnet();
        String prefix = "fd19:" + Integer.toHexString(net) + "::";
        String group = "ff15::" + Integer.toHexString(net);
        try (TestHosts hosts = TestHosts.create("og6host", prefix + "1/64", prefix + "2/64")) {
            Distribution first = null;
            for (int i = 0; i < 2; i++) {
                Distribution d = hosts.startAppliance(i);
                first = first == null ? d : first;
                d.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + prefix + (i + 1),
                        "-p", "multicast/group=" + group, "-p", "multicast/interface=" + TestNetwork.UNDERLAY, "ovl6");
                d.adm("vnic:create", "-l", "ovl6", "-t", "vm" + i, "vnic");
                hosts.plugVm(i, "vm" + i, "192.168.84." + (i + 1) + "/24");
            }
            pingAll(hosts, 2, "192.168.84.");
            String targets = first.adm("overlay:show", "-t", "ovl6");
            assertTrue("the group floods and the other host was learned: " + targets,
                    targets.contains("[" + group + "]:4789") && targets.contains("[" + prefix + "2]:4789"));
        }
    }
}
