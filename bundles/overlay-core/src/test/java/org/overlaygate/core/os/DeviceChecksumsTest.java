package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.core.os.DeviceChecksums.Kind;
import org.overlaygate.core.os.DeviceChecksums.Verdict;
import org.overlaygate.testsupport.Netns;

/**
 * Which underlay devices complete a partial checksum: the rules on made-up devices (drivers, buses
 * and what is under them as ethtool and sysfs report them), then real ones in a namespace (root).
 */
public class DeviceChecksumsTest {
    /** Devices by name: {driver, bus}, and the devices under each (null: unreadable). */
    private static final class Made implements DeviceChecksums.Devices {
        final Map<String, String[]> drivers = new HashMap<>();
        final Map<String, List<String>> lowers = new HashMap<>();

        Made device(String name, String driver, String bus, String... under) {
            drivers.put(name, new String[] {driver, bus});
            lowers.put(name, under.length == 1 && under[0] == null ? null : List.of(under));
            return this;
        }

        @Override
        public String[] driver(String device) {
            return drivers.get(device);
        }

        @Override
        public List<String> lowers(String device) {
            return lowers.get(device);
        }
    }

    private static Verdict of(Made made, String device) {
        return DeviceChecksums.classify(device, made, 0);
    }

    @Test
    public void vethsTapsAndBridgesOfThemCompleteNothingNicsAndVirtioDo() {
        Made m = new Made().device("ul0", "veth", "").device("tap0", "tun", "tap").device("eth0", "virtio_net", "0000:00:03.0")
                .device("eno1", "e1000e", "0000:00:1f.6").device("br0", "bridge", "N/A", "eno1", "tap0")
                .device("br1", "bridge", "N/A", "eno1").device("br2", "bridge", "N/A").device("br3", "bridge", "N/A", (String) null)
                .device("bond0", "bonding", "", "eth0", "eno1").device("vlan5", "802.1Q VLAN Support", "", "br0")
                .device("dummy0", "dummy", "").device("mv0", "macvlan", "", (String) null);
        assertEquals(Kind.SOFTWARE, of(m, "ul0").kind);
        assertEquals("ul0 is a veth: nothing completes its checksums", of(m, "ul0").why);
        assertEquals(Kind.SOFTWARE, of(m, "tap0").kind);
        assertEquals(Kind.HARDWARE, of(m, "eth0").kind);
        assertEquals(Kind.HARDWARE, of(m, "eno1").kind);
        assertEquals("a bridge with a TAP port", Kind.SOFTWARE, of(m, "br0").kind);
        assertTrue(of(m, "br0").why, of(m, "br0").why.contains("tap0 is a tap"));
        assertEquals("a bridge of NICs only", Kind.HARDWARE, of(m, "br1").kind);
        assertEquals("a bridge with no port", Kind.SOFTWARE, of(m, "br2").kind);
        assertEquals("a bridge whose ports cannot be read", Kind.SOFTWARE, of(m, "br3").kind);
        assertEquals(Kind.HARDWARE, of(m, "bond0").kind);
        assertEquals("a VLAN over that bridge", Kind.SOFTWARE, of(m, "vlan5").kind);
        assertEquals(Kind.UNKNOWN, of(m, "dummy0").kind);
        assertEquals(Kind.UNKNOWN, of(m, "mv0").kind);
        assertEquals("no driver info", Kind.UNKNOWN, of(m, "nosuch").kind);
    }

    @Test
    public void aLoopOfLowerDevicesEnds() {
        Made m = new Made().device("a", "bonding", "", "b").device("b", "bonding", "", "a");
        assertEquals(Kind.UNKNOWN, of(m, "a").kind);
    }

    @Test
    public void realDevicesInANamespace() throws Exception {
        Netns.assumeAvailable("DeviceChecksumsTest");
        try (Netns ns = Netns.create("ogcks")) {
            ns.exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1").check();
            ns.exec("ip", "addr", "add", "10.9.3.1/24", "dev", "v0").check();
            ns.exec("ip", "link", "add", "br0", "type", "bridge").check();
            ns.exec("ip", "addr", "add", "10.9.4.1/24", "dev", "br0").check();
            ns.exec("ip", "link", "set", "v1", "master", "br0").check();
            Verdict veth = ns.call(() -> DeviceChecksums.of(InetAddress.getByName("10.9.3.1")));
            assertEquals(veth.toString(), Kind.SOFTWARE, veth.kind);
            assertEquals("v0 is a veth: nothing completes its checksums", veth.why);
            Verdict bridge = ns.call(() -> DeviceChecksums.of(InetAddress.getByName("10.9.4.1")));
            assertEquals(bridge.toString(), Kind.SOFTWARE, bridge.kind);
            assertTrue(bridge.why, bridge.why.startsWith("br0 "));
            Verdict lo = ns.call(() -> DeviceChecksums.of(InetAddress.getByName("127.0.0.1")));
            assertEquals(lo.toString(), Kind.LOCAL, lo.kind);
            assertEquals(Kind.UNKNOWN, DeviceChecksums.of(InetAddress.getByName("0.0.0.0")).kind);
        }
    }
}
