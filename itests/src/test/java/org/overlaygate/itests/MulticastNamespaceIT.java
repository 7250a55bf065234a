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

    @Test
    public void threeAppliancesInOneGroupReachEachOther() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping");
        int net = SystemTests.subnet();
        String group = "239.2." + net + ".1";
        Netns[] hosts = new Netns[3];
        Distribution[] appliances = new Distribution[3];
        try (Netns underlay = Netns.create("ogul")) {
            underlay.exec("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0").check();
            underlay.exec("ip", "link", "set", "br0", "up").check();
            try {
                for (int i = 0; i < 3; i++) {
                    hosts[i] = Netns.create("oghost" + i);
                    String outside = "p" + i;
                    Netns.run("ip", "link", "add", "eth0", "netns", hosts[i].name(), "type", "veth", "peer", "name", outside, "netns",
                            underlay.name()).check();
                    underlay.exec("ip", "link", "set", outside, "master", "br0", "up").check();
                    hosts[i].exec("ip", "addr", "add", "10.195." + net + "." + (i + 1) + "/24", "dev", "eth0").check();
                    hosts[i].exec("ip", "link", "set", "eth0", "up").check();
                    appliances[i] = Distribution.copy();
                    appliances[i].startIn(hosts[i]);
                }
                for (int i = 0; i < 3; i++) {
                    Distribution d = appliances[i];
                    d.awaitReady(60_000);
                    d.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p",
                            "vxlan/listen_ip=10.195." + net + "." + (i + 1), "-p", "multicast/group=" + group, "-p", "multicast/interface=eth0",
                            "ovl" + i);
                    d.adm("vnic:create", "-l", "ovl" + i, "-t", "vm" + i, "vnic" + i);
                    hosts[i].exec("ip", "addr", "add", "192.168.81." + (i + 1) + "/24", "dev", "vm" + i).check();
                    hosts[i].exec("ip", "link", "set", "vm" + i, "up").check();
                }
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        if (i != j) {
                            Netns.Result ping = hosts[i].exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.81." + (j + 1));
                            assertEquals("host " + i + " -> host " + j + ": " + ping, 0, ping.exitCode);
                        }
                    }
                }
                String targets = appliances[0].adm("overlay:show", "-t", "ovl0");
                long learned = targets.lines().filter(l -> l.matches("ovl0\\s+\\S{17}\\s+valid\\s+learned\\s+.*")).count();
                assertEquals("host 0 learned both others: " + targets, 2, learned);
            } finally {
                for (Distribution d : appliances) {
                    if (d != null) {
                        d.close();
                    }
                }
                for (Netns h : hosts) {
                    if (h != null) {
                        h.close();
                    }
                }
            }
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
        Netns[] hosts = new Netns[3]; // 0: the appliance, 1 and 2: kernels
        try (Netns underlay = Netns.create("ogul"); Distribution appliance = Distribution.copy()) {
            underlay.exec("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0").check();
            underlay.exec("ip", "link", "set", "br0", "up").check();
            try {
                for (int i = 0; i < 3; i++) {
                    hosts[i] = Netns.create("ogmix" + i);
                    Netns.run("ip", "link", "add", "eth0", "netns", hosts[i].name(), "type", "veth", "peer", "name", "p" + i, "netns",
                            underlay.name()).check();
                    underlay.exec("ip", "link", "set", "p" + i, "master", "br0", "up").check();
                    hosts[i].exec("ip", "addr", "add", "10.193." + net + "." + (i + 1) + "/24", "dev", "eth0").check();
                    hosts[i].exec("ip", "link", "set", "eth0", "up").check();
                }
                for (int i = 1; i < 3; i++) {
                    hosts[i].exec("ip", "link", "add", "vx0", "type", "vxlan", "id", Integer.toString(VNI), "group", group, "dev", "eth0",
                            "dstport", "4789").check();
                    hosts[i].exec("ip", "link", "set", "vx0", "mtu", "1400").check();
                    hosts[i].exec("ip", "addr", "add", "192.168.83." + (i + 1) + "/24", "dev", "vx0").check();
                    hosts[i].exec("ip", "link", "set", "vx0", "up").check();
                }
                appliance.startIn(hosts[0]);
                appliance.awaitReady(60_000);
                appliance.adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p",
                        "vxlan/listen_ip=10.193." + net + ".1", "-p", "multicast/group=" + group, "-p", "multicast/interface=eth0", "ovl");
                appliance.adm("vnic:create", "-l", "ovl", "-t", "vm0", "vnic");
                hosts[0].exec("ip", "addr", "add", "192.168.83.1/24", "dev", "vm0").check();
                hosts[0].exec("ip", "link", "set", "vm0", "up").check();
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        if (i != j) {
                            Netns.Result ping = hosts[i].exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.83." + (j + 1));
                            assertEquals("host " + i + " -> host " + j + ": " + ping, 0, ping.exitCode);
                        }
                    }
                }
                String targets = appliance.adm("overlay:show", "-t", "ovl");
                assertEquals("both kernels learned: " + targets, 2,
                        targets.lines().filter(l -> l.matches("ovl\\s+\\S{17}\\s+valid\\s+learned\\s+.*")).count());
            } finally {
                for (Netns h : hosts) {
                    if (h != null) {
                        h.close();
                    }
                }
            }
        }
    }

    /** Two appliances over an IPv6 underlay (the JDK's sockets and MLD) find each other through one group. */
    @Test
    public void twoAppliancesOverAnIpv6UnderlayFindEachOtherThroughAGroup() throws Exception {
        SystemTests.assumeSystem("MulticastNamespaceIT", "ping");
        int net = SystemTests.subnet();
        String prefix = "fd19:" + Integer.toHexString(net) + "::";
        String group = "ff15::" + Integer.toHexString(net);
        Netns[] hosts = new Netns[2];
        Distribution[] appliances = new Distribution[2];
        try {
            for (int i = 0; i < 2; i++) {
                hosts[i] = Netns.create("og6host" + i);
            }
            Netns.run("ip", "link", "add", "eth0", "netns", hosts[0].name(), "type", "veth", "peer", "name", "eth0", "netns",
                    hosts[1].name()).check();
            for (int i = 0; i < 2; i++) {
                hosts[i].exec("ip", "addr", "add", prefix + (i + 1) + "/64", "dev", "eth0", "nodad").check();
                hosts[i].exec("ip", "link", "set", "eth0", "up").check();
                appliances[i] = Distribution.copy();
                appliances[i].startIn(hosts[i]);
            }
            for (int i = 0; i < 2; i++) {
                appliances[i].awaitReady(60_000);
                appliances[i].adm("overlay:create", "-e", "vxlan", "-s", "multicast", "-v", Integer.toString(VNI), "-p",
                        "vxlan/listen_ip=" + prefix + (i + 1), "-p", "multicast/group=" + group, "-p", "multicast/interface=eth0", "ovl6");
                appliances[i].adm("vnic:create", "-l", "ovl6", "-t", "vm" + i, "vnic");
                hosts[i].exec("ip", "addr", "add", "192.168.84." + (i + 1) + "/24", "dev", "vm" + i).check();
                hosts[i].exec("ip", "link", "set", "vm" + i, "up").check();
            }
            Netns.Result there = hosts[0].exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.84.2");
            assertEquals("over IPv6, there: " + there, 0, there.exitCode);
            Netns.Result back = hosts[1].exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.84.1");
            assertEquals("over IPv6, back: " + back, 0, back.exitCode);
            String targets = appliances[0].adm("overlay:show", "-t", "ovl6");
            assertTrue("the group floods and the other host was learned: " + targets,
                    targets.contains("[" + group + "]:4789") && targets.contains("[" + prefix + "2]:4789"));
        } finally {
            for (Distribution d : appliances) {
                if (d != null) {
                    d.close();
                }
            }
            for (Netns h : hosts) {
                if (h != null) {
                    h.close();
                }
            }
        }
    }
}
