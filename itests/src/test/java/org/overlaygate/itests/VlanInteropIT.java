package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, tshark, ethtool): VNICs on VLANs ({@code vnic:create -v}) against
 * the Linux kernel's VXLAN as the far end, on VLAN 10 behind a bridge: the vxlan device enslaved to
 * bridge br0 and the kernel's overlay address on a VLAN sub-interface of it ({@code br0.10}), as an
 * operator makes it, so the kernel sends and takes 802.1Q-tagged inner frames with VID 10. A kernel
 * without 802.1Q devices (this machine's has no CONFIG_VLAN_8021Q) gets the same from an access
 * port of VLAN 10 in br0 whose tags the kernel's own VLAN helpers push and pop, called by two tc
 * programs (vlan10-access-port.s, assembled by llvm-mc and loaded by tc).
 *
 * <p>Four namespaces, none with IPv6 (only the test's traffic crosses the overlay): the kernel's
 * host, the appliance's host cabled to it by a veth (the underlay, MTU 1500), and two VMs behind
 * the appliance's TAP VNICs, one on VLAN 10 and one on VLAN 20 of the same overlay and the same
 * subnet. The VLAN 10 VM and the kernel ping each other, tshark on the underlay decodes
 * {@code vlan.id == 10} inside VXLAN with the overlay's VNI, and tshark on the VM's TAP sees the
 * same echoes untagged. A full-size (overlay MTU) ping with DF crosses without a fragment on the
 * underlay. The VLAN 20 VM reaches neither the kernel nor the VLAN 10 VM, and when it is told
 * their MACs (static neighbours, so that ARP is not what stops it) its frames, and the kernel's
 * frames for it, are counted as {@code vlan_mismatch}.
 *
 * <p>The kernel's vxlan device gets {@code ethtool -K vx0 tx off}, as in {@link KernelVxlanInteropIT}:
 * a veth completes no checksums.
 */
public class VlanInteropIT {
    private static final int VNI = 6010;
    private static final String APPLIANCE = "10.62.0.1";
    private static final String KERNEL = "10.62.0.2";
    private static final String VM10 = "192.168.86.1";
    private static final String KERNEL_VLAN10 = "192.168.86.2";
    private static final String VM20 = "192.168.86.3";
    /** The underlay's 1500 less IPv4 20, UDP 8, VXLAN 8, Ethernet 14 and the 802.1Q tag 4. */
    private static final int MTU = 1446;
    /**
     * VXLAN packets around IPv4 ICMP, tagged or not (the inner frame begins after UDP 8 and VXLAN 8
     * bytes: its EtherType at 28, a tag's inner EtherType at 32, IP's protocol at 43 behind a tag
     * and at 39 without): the echoes alone, not the ARP that may come and go meanwhile; an untagged
     * echo is captured too, so that it fails the tag's assertion rather than the capture's count.
     */
    private static final String VXLAN_ICMP =
            "udp port 4789 and ((udp[28:2] = 0x8100 and udp[32:2] = 0x0800 and udp[43] = 1) or (udp[28:2] = 0x0800 and udp[39] = 1))";

    @Test
    public void vlan10ReachesTheKernelsVlanSubInterfaceTaggedAndVlan20ReachesNothingOfVlan10() throws Exception {
        SystemTests.assumeSystem("VlanInteropIT", "ping", "tshark", "ethtool");
        // Namespaces first: the appliance is closed (SIGTERM, its TAPs go with it) before them.
        try (Netns host = TestNetwork.quiet("ogvlh"); Netns kern = TestNetwork.quiet("ogvlk"); Netns vm10 = TestNetwork.quiet("ogv10");
                Netns vm20 = TestNetwork.quiet("ogv20"); Distribution dist = Distribution.copy()) {
            TestNetwork.cable(host, APPLIANCE, kern, KERNEL);
            String kernelVlan10 = kernelBehindABridgeOnVlan10(kern);
            dist.startIn(host);
            dist.awaitReady(60_000);

            // The kernel's own VXLAN MTU on a 1500-byte underlay, 1450, leaves no room for the tag: refused, with the MTU to use.
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(VNI + 1), "-p", "vxlan/listen_ip=" + APPLIANCE,
                    "-p", "direct/dest_ip=" + KERNEL, "-p", "direct/dest_port=4789", "-p", "mtu=1450", "ovlbig");
            Distribution.Result refused = dist.overlayadm("vnic:create", "-l", "ovlbig", "-v", "10", "-t", "vtbig", "vnicbig");
            assertNotEquals("a VLAN VNIC on an overlay whose tagged frames would not fit: " + refused, 0, refused.status);
            assertTrue("the refusal names the MTU to use: " + refused, (refused.out + refused.err).contains("mtu " + MTU + " or less"));
            dist.adm("overlay:delete", "ovlbig");

            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + APPLIANCE,
                    "-p", "direct/dest_ip=" + KERNEL, "-p", "direct/dest_port=4789", "-p", "mtu=" + MTU, "ovlv");
            dist.adm("vnic:create", "-l", "ovlv", "-v", "10", "-t", "vtap10", "vnic10");
            dist.adm("vnic:create", "-l", "ovlv", "-v", "20", "-t", "vtap20", "vnic20");
            String vnics = dist.adm("vnic:show");
            assertTrue("vnic:show shows each VID: " + vnics, vnics.lines().anyMatch(l -> l.matches("vnic10\\s+ovlv\\s.*\\s" + MTU + "\\s+up\\s+10\\s*"))
                    && vnics.lines().anyMatch(l -> l.matches("vnic20\\s+ovlv\\s.*\\s" + MTU + "\\s+up\\s+20\\s*")));
            TestNetwork.plug(host, "vtap10", vm10, VM10 + "/24");
            TestNetwork.plug(host, "vtap20", vm20, VM20 + "/24");
            assertTrue("the VM's link has the overlay's MTU", vm10.exec("ip", "-o", "link", "show", "vtap10").check().output.contains("mtu " + MTU + " "));

            pingsTaggedOnTheUnderlayAndUntaggedOnTheTap(host, kern, kernelVlan10, vm10);
            fullSizeWithDfCrossesUnfragmented(host, kern, vm10);
            vlan20ReachesNothingOfVlan10(dist, kern, kernelVlan10, vm10, vm20);
        }
    }

    /**
     * The kernel's side: vx0 (remote: the appliance) in bridge br0, and the kernel's overlay
     * address on VLAN 10 of that bridge, the overlay's MTU everywhere. As the issue has it, on a
     * VLAN sub-interface, br0.10; on a kernel without 802.1Q devices (no CONFIG_VLAN_8021Q, as
     * this machine's), on kv0, a veth whose peer kv1 is an access port of VLAN 10 in br0 made with
     * tc: see vlan10-access-port.s. Either way the kernel tags and untags the frames and its VXLAN
     * device carries them tagged. Returns the link that holds the address.
     */
    private static String kernelBehindABridgeOnVlan10(Netns kern) throws Exception {
        kern.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", Integer.toString(VNI), "remote", APPLIANCE, "local", KERNEL, "dstport",
                "4789").check();
        kern.exec("ip", "link", "set", "vx0", "mtu", Integer.toString(MTU)).check();
        kern.exec("ip", "link", "add", "br0", "type", "bridge").check();
        kern.exec("ip", "link", "set", "vx0", "master", "br0").check();
        List<String> links = new ArrayList<>(List.of("vx0", "br0"));
        String vlan10;
        Netns.Result subInterface = kern.exec("ip", "link", "add", "link", "br0", "name", "br0.10", "type", "vlan", "id", "10");
        if (subInterface.exitCode == 0) {
            vlan10 = "br0.10";
        } else if (subInterface.output.contains("Unknown device type")) {
            vlan10 = "kv0";
            kern.exec("ip", "link", "add", "kv0", "type", "veth", "peer", "name", "kv1").check();
            kern.exec("ip", "link", "set", "kv1", "mtu", Integer.toString(MTU), "master", "br0").check();
            accessPortOfVlan10(kern, "kv1");
            links.add("kv1");
        } else {
            throw new AssertionError("the kernel's VLAN sub-interface: " + subInterface);
        }
        kern.exec("ip", "link", "set", vlan10, "mtu", Integer.toString(MTU)).check();
        kern.exec("ip", "addr", "add", KERNEL_VLAN10 + "/24", "dev", vlan10).check();
        links.add(vlan10);
        for (String link : links) {
            kern.exec("ip", "link", "set", link, "up").check();
        }
        kern.exec("ethtool", "-K", "vx0", "tx", "off").check();
        System.out.println("VlanInteropIT: the kernel's VLAN 10 address is on " + vlan10
                + (vlan10.equals("kv0") ? " (no 802.1Q devices in this kernel: kv1 is an access port of VLAN 10 in br0, made with tc)" : ""));
        return vlan10;
    }

    /** Makes bridge port {@code port} an access port of VLAN 10 with the tc programs of vlan10-access-port.s, assembled here. */
    private static void accessPortOfVlan10(Netns kern, String port) throws Exception {
        for (String tool : List.of("tc", "llvm-mc")) {
            if (Netns.findExecutable(tool) == null) {
                Netns.skipOrFail("VlanInteropIT", "this kernel has no 802.1Q devices, and the VLAN 10 access port made instead needs '" + tool
                        + "' (./test.sh installs it as root)");
            }
        }
        Path dir = Files.createTempDirectory("vlan10");
        try {
            Path source = dir.resolve("vlan10-access-port.s");
            try (InputStream in = VlanInteropIT.class.getResourceAsStream("vlan10-access-port.s")) {
                Files.copy(in, source);
            }
            Path object = dir.resolve("vlan10-access-port.o");
            Netns.run("llvm-mc", "-triple", "bpfel", "-filetype=obj", source.toString(), "-o", object.toString()).check();
            kern.exec("tc", "qdisc", "add", "dev", port, "clsact").check();
            kern.exec("tc", "filter", "add", "dev", port, "ingress", "bpf", "da", "obj", object.toString(), "sec", "access_in").check();
            kern.exec("tc", "filter", "add", "dev", port, "egress", "bpf", "da", "obj", object.toString(), "sec", "access_out").check();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.collect(Collectors.toList())) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * Five pings each way between the VLAN 10 VM and the kernel, of whose 20 echoes the captures
     * keep 16 (a capture may miss the first packets after it says it is capturing): on the
     * underlay every echo is VXLAN with the overlay's VNI around an 802.1Q tag with VID 10, both
     * ways; on the VM's TAP every echo arrives and leaves untagged. Each side first resolves the
     * other with an ARP broadcast on VLAN 10.
     */
    private static void pingsTaggedOnTheUnderlayAndUntaggedOnTheTap(Netns host, Netns kern, String kernelVlan10, Netns vm10) throws Exception {
        try (TestNetwork.Capture underlay = TestNetwork.Capture.start(host, TestNetwork.UNDERLAY, VXLAN_ICMP, 16);
                TestNetwork.Capture tap = TestNetwork.Capture.start(vm10, "vtap10", "icmp or vlan", 16)) {
            Netns.Result out = vm10.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", KERNEL_VLAN10);
            assertEquals("VLAN 10 VM -> the kernel's VLAN 10 address: " + out, 0, out.exitCode);
            kern.exec("ip", "neigh", "flush", "dev", kernelVlan10).check(); // the kernel asks too: its ARP broadcast on VLAN 10
            Netns.Result in = kern.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", VM10);
            assertEquals("the kernel's VLAN 10 address -> VLAN 10 VM: " + in, 0, in.exitCode);
            underlay.awaitDone(30);
            tap.awaitDone(30);

            List<String> rows = underlay.decode("icmp", "ip.src", "vxlan.vni", "vlan.id", "icmp.type");
            System.out.println("VlanInteropIT: underlay (ip.src outer;inner, vxlan.vni, vlan.id, icmp.type):\n  " + String.join("\n  ", rows));
            assertEquals("16 echoes on the underlay: " + rows, 16, rows.size());
            for (String row : rows) {
                String[] f = row.split(",", -1);
                assertEquals("VNI in " + row, Integer.toString(VNI), f[1]);
                assertEquals("an 802.1Q tag with VID 10 inside VXLAN in " + row, "10", f[2]);
            }
            TestNetwork.assertEchoesBothWays(rows, APPLIANCE, VM10, KERNEL, KERNEL_VLAN10);

            List<String> seen = tap.decode("frame", "vlan.id", "eth.type", "ip.src", "icmp.type");
            System.out.println("VlanInteropIT: VLAN 10 VM's TAP (vlan.id, eth.type, ip.src, icmp.type):\n  " + String.join("\n  ", seen));
            assertEquals("16 echoes on the VM's TAP: " + seen, 16, seen.size());
            for (String row : seen) {
                assertTrue("an untagged echo on the VM's TAP: " + row, row.matches(",0x0800,192\\.168\\.86\\.[12],[08]"));
            }
            assertTrue("the VM's requests and the kernel's on its TAP: " + seen,
                    seen.contains(",0x0800," + VM10 + ",8") && seen.contains(",0x0800," + KERNEL_VLAN10 + ",8"));
        }
    }

    /**
     * Pings of the overlay's MTU with DF from the VLAN 10 VM and from the kernel, four each way,
     * of whose 16 echoes the capture keeps 12: the tagged frame (MTU + 18) in VXLAN makes a
     * 1500-byte packet, exactly the underlay's MTU, never fragmented.
     */
    private static void fullSizeWithDfCrossesUnfragmented(Netns host, Netns kern, Netns vm10) throws Exception {
        String payload = Integer.toString(MTU - 28); // IPv4 20, ICMP 8
        // Every VXLAN packet around ICMP and every fragment (MF set or an offset) of any packet.
        try (TestNetwork.Capture underlay = TestNetwork.Capture.start(host, TestNetwork.UNDERLAY, "(" + VXLAN_ICMP + ") or (ip[6:2] & 0x3fff != 0)", 12)) {
            Netns.Result out = vm10.exec("ping", "-c", "4", "-i", "0.2", "-W", "2", "-M", "do", "-s", payload, KERNEL_VLAN10);
            assertEquals("full-size DF ping VLAN 10 VM -> kernel: " + out, 0, out.exitCode);
            Netns.Result in = kern.exec("ping", "-c", "4", "-i", "0.2", "-W", "2", "-M", "do", "-s", payload, VM10);
            assertEquals("full-size DF ping kernel -> VLAN 10 VM: " + in, 0, in.exitCode);
            Netns.Result tooBig = vm10.exec("ping", "-c", "1", "-M", "do", "-s", Integer.toString(MTU - 27), KERNEL_VLAN10);
            assertNotEquals("one byte more than the MTU does not leave the VM with DF: " + tooBig, 0, tooBig.exitCode);
            underlay.awaitDone(30);

            List<String> rows = underlay.decode("frame", "ip.src", "ip.len", "ip.flags.mf", "ip.frag_offset", "vlan.id", "icmp.type");
            System.out.println("VlanInteropIT: full size on the underlay (ip.src, ip.len outer;inner, mf, frag_offset, vlan.id, icmp.type):\n  "
                    + String.join("\n  ", rows));
            assertEquals("12 packets: " + rows, 12, rows.size());
            for (String row : rows) {
                String[] f = row.split(",", -1);
                assertEquals("outer and inner IP lengths: the underlay's MTU around the overlay's, in " + row, "1500;" + MTU, f[1]);
                assertTrue("no fragment: MF clear in " + row, f[2].split(";")[0].matches("0|False"));
                assertEquals("no fragment: offset 0 in " + row, "0", f[3].split(";")[0]);
                assertEquals("VID 10 in " + row, "10", f[4]);
            }
            assertEquals("12 echoes: " + rows, 12, rows.stream().filter(r -> r.matches(".*,[08]$")).count());
            assertTrue("the VM's full-size requests and the kernel's: " + rows, rows.stream().anyMatch(r -> r.startsWith(APPLIANCE + ";" + VM10
                    + ",") && r.endsWith(",8")) && rows.stream().anyMatch(r -> r.startsWith(KERNEL + ";" + KERNEL_VLAN10 + ",") && r.endsWith(",8")));
        }
    }

    /**
     * The VLAN 20 VM (same overlay, same subnet) pings the kernel's VLAN 10 address and the VLAN 10
     * VM: no ARP reply crosses VLANs, nothing answers, its ARP fails. Told their MACs, it sends anyway: its frames
     * to the VLAN 10 VM are dropped by the appliance as {@code vlan_mismatch} (on vnic20), and the
     * kernel's frames for it, told its MAC on VLAN 10, are dropped as {@code vlan_mismatch} on the
     * overlay. Nothing of VLAN 10, its ARP broadcasts included, was ever written to the VLAN 20 VM.
     */
    private static void vlan20ReachesNothingOfVlan10(Distribution dist, Netns kern, String kernelVlan10, Netns vm10, Netns vm20)
            throws Exception {
        for (String target : List.of(KERNEL_VLAN10, VM10)) {
            Netns.Result r = vm20.exec("ping", "-c", "2", "-i", "0.2", "-w", "3", target);
            assertNotEquals("VLAN 20 VM -> " + target + " (VLAN 10) must fail: " + r, 0, r.exitCode);
        }
        // Until its ARP gives up, the VM holds the echoes it could not send, and would send them on once told the MAC below.
        Await.until("the VLAN 20 VM's ARP for both VLAN 10 addresses to fail", 10_000, Await.check(() -> vm20.exec("ip", "neigh", "show", "dev",
                "vtap20").output.lines().filter(l -> l.matches("192\\.168\\.86\\.[12]\\s+FAILED\\s*")).count() == 2));

        String mac10 = vm10.exec("cat", "/sys/class/net/vtap10/address").check().output.trim();
        String mac20 = vm20.exec("cat", "/sys/class/net/vtap20/address").check().output.trim();
        vm20.exec("ip", "neigh", "replace", VM10, "lladdr", mac10, "nud", "permanent", "dev", "vtap20").check();
        threePingsFailCountedAsVlanMismatch(dist, "vnic20", "VLAN 20 VM -> the VLAN 10 VM's MAC", vm20, VM10);
        kern.exec("ip", "neigh", "replace", VM20, "lladdr", mac20, "nud", "permanent", "dev", kernelVlan10).check();
        threePingsFailCountedAsVlanMismatch(dist, "ovlv", "the kernel's VLAN 10 -> the VLAN 20 VM's MAC", kern, VM20);
        assertEquals("in all, the 3 frames each way and no other: " + dist.adm("overlay:stats"), List.of(3L, 3L),
                List.of(TestNetwork.drops(dist, "vnic20", "vlan_mismatch"), TestNetwork.drops(dist, "ovlv", "vlan_mismatch")));
        assertEquals("nothing of VLAN 10, broadcasts included, was written to the VLAN 20 VM", 0, TestNetwork.vnicCounter(dist, "vnic20", "OPKTS"));
        assertTrue("the VLAN 10 VM got its frames", TestNetwork.vnicCounter(dist, "vnic10", "OPKTS") >= 16);
        String stats = dist.adm("overlay:stats");
        System.out.println("VlanInteropIT: overlay:stats after VLAN 20's attempts:\n" + stats.lines()
                .filter(l -> l.contains("vlan_mismatch") || l.startsWith("LINK") || l.startsWith("VNIC") || l.matches("(ovlv|vnic\\d+)\\s.*"))
                .collect(Collectors.joining("\n")));
    }

    /** Three pings from {@code from} to {@code to} fail, and each echo request is counted once as {@code vlan_mismatch} on {@code row}. */
    private static void threePingsFailCountedAsVlanMismatch(Distribution dist, String row, String what, Netns from, String to) throws Exception {
        long before = TestNetwork.drops(dist, row, "vlan_mismatch");
        Netns.Result ping = from.exec("ping", "-c", "3", "-i", "0.2", "-W", "1", to);
        assertNotEquals(what + " must fail: " + ping, 0, ping.exitCode);
        Await.until(what + ": counted as vlan_mismatch on " + row, 10_000,
                Await.check(() -> TestNetwork.drops(dist, row, "vlan_mismatch") - before >= 3));
        assertEquals(what + ": 3 echo requests, each counted once on " + row + ": " + dist.adm("overlay:stats"), 3,
                TestNetwork.drops(dist, row, "vlan_mismatch") - before);
    }
}
