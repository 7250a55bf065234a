package org.overlaygate.itests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;

import org.overlaygate.testsupport.Netns;

/** What the system tests (root, namespaces, real tools) share. */
final class SystemTests {
    /**
     * How a skip begins when the machine's kernel lacks what a test needs (a module no package can
     * install): {@code .ci/run} reports such skips but does not fail on them, while any other skip
     * (no root, a tool missing) fails CI.
     */
    static final String NOT_ON_THIS_KERNEL = "not on this kernel:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SystemTests() {
    }

    /** Skips (fails in CI), saying why, unless this runs as root with ip and every named tool. CI runs as root with all of them. */
    static void assumeSystem(String test, String... tools) {
        Netns.assumeAvailable(test);
        for (String tool : tools) {
            if (Netns.findExecutable(tool) == null) {
                Netns.skipOrFail(test, "needs '" + tool + "' (./test.sh installs it as root)");
            }
        }
    }

    /** A free UDP port on a loopback address. */
    static int freeUdpPort(String address) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(address, 0))) {
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    /** A name for a link in the root namespace, unique to this run: prefix + 6 hex digits. */
    static String linkName(String prefix) {
        return Netns.uniqueName(prefix);
    }

    /** The third octet of a 10.x.y.0/24 underlay subnet unlikely to collide with another test's. */
    static int subnet() {
        return 1 + RANDOM.nextInt(250);
    }

    /**
     * Two VXLAN overlays, ovla on 127.0.0.1 and ovlb on 127.0.0.2, each the other's direct
     * destination, with TAP VNICs vnica and vnicb moved into namespaces a and b as
     * 192.168.{subnet}.1 and .2: pings between the namespaces cross the appliance.
     *
     * @return the UDP ports of ovla and ovlb
     */
    static int[] joinThroughTwoOverlays(Distribution dist, Netns a, Netns b, String tapA, String tapB, int vnet, int subnet) throws Exception {
        int pa = freeUdpPort("127.0.0.1");
        int pb = freeUdpPort("127.0.0.2");
        dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(vnet), "-p", "vxlan/listen_ip=127.0.0.1,vxlan/listen_port="
                + pa + ",direct/dest_ip=127.0.0.2,direct/dest_port=" + pb, "ovla");
        dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(vnet), "-p", "vxlan/listen_ip=127.0.0.2,vxlan/listen_port="
                + pb + ",direct/dest_ip=127.0.0.1,direct/dest_port=" + pa, "ovlb");
        dist.adm("vnic:create", "-l", "ovla", "-t", tapA, "vnica");
        dist.adm("vnic:create", "-l", "ovlb", "-t", tapB, "vnicb");
        plug(a, tapA, "192.168." + subnet + ".1/24");
        plug(b, tapB, "192.168." + subnet + ".2/24");
        return new int[] {pa, pb};
    }

    /** Moves a TAP device into a namespace and gives it an address. */
    static void plug(Netns ns, String tap, String cidr) throws IOException {
        ns.moveIn(tap);
        ns.exec("ip", "addr", "add", cidr, "dev", tap).check();
        ns.exec("ip", "link", "set", tap, "up").check();
    }

    /** Waits until something listens on TCP {@code port} inside {@code ns} (a server just started there), or fails. */
    static void awaitListening(Netns ns, int port) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!ns.exec("ss", "-Hltn", "sport", "=", ":" + port).output.contains(":" + port)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing listens on TCP port " + port + " in " + ns);
            }
            Thread.sleep(20);
        }
    }
}
