package org.overlaygate.core.os;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a checksum the kernel leaves partial on the way out of an underlay address gets
 * completed: by hardware (a NIC, a virtio device: the hypervisor), by the receiving kernel (the
 * loopback), or by nothing, because the device is software all the way down (a veth, a TAP, a
 * bridge of them). A software switch reading such a device with AF_PACKET (Open vSwitch's
 * userspace datapath; DPDK's af_packet) sees the partial checksum as it is and drops the packet:
 * what {@code udp_gso} sockets leave for the device. Configuration time only (it allocates).
 *
 * <p>The device's driver and bus come from the ethtool ioctl (SIOCETHTOOL, ETHTOOL_GDRVINFO), in
 * the calling thread's network namespace; the devices under a bridge, VLAN, bond or macvlan (its
 * {@code lower_*} links) from sysfs, where sysfs shows this namespace's device (same index and MAC).
 */
public final class DeviceChecksums {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GDRVINFO = 0x03;
    /** struct ethtool_drvinfo: cmd, driver[32], version[32], fw_version[32], bus_info[32], erom_version[32], reserved2[12], 5 u32. */
    private static final int DRVINFO_SIZE = 196;
    private static final int DRIVER = 4;
    private static final int BUS_INFO = 4 + 32 * 3;
    private static final int MAX_DEPTH = 8;

    /** What completes a partial checksum sent out of a device. */
    public enum Kind {
        /** Hardware (a NIC, or the hypervisor behind a virtio device). */
        HARDWARE,
        /** The receiving kernel itself: the loopback. */
        LOCAL,
        /** Nothing: the device is software all the way down. */
        SOFTWARE,
        /** It cannot be known here (a wildcard address, a device whose driver cannot be read). */
        UNKNOWN
    }

    /** The answer for one address: its kind, and one line saying why. */
    public static final class Verdict {
        public final Kind kind;
        public final String why;

        Verdict(Kind kind, String why) {
            this.kind = kind;
            this.why = why;
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + ": " + why;
        }
    }

    /** A device's driver and bus, and the devices under it: the OS side, replaced in tests. */
    interface Devices {
        /** {driver, bus_info}, or null when they cannot be read. */
        String[] driver(String device);

        /** The devices under it ({@code lower_*}: a bridge's ports, a VLAN's parent), or null when unknown. */
        List<String> lowers(String device);
    }

    private DeviceChecksums() {
    }

    /** The verdict for the device that owns {@code address}, in the calling thread's namespace. */
    public static Verdict of(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return new Verdict(Kind.UNKNOWN, "the listen address is a wildcard: the underlay device is not known");
        }
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByInetAddress(address);
            if (nif == null) {
                return new Verdict(Kind.UNKNOWN, "no device has " + address.getHostAddress());
            }
            if (nif.isLoopback()) {
                return new Verdict(Kind.LOCAL, nif.getName() + " is the loopback: the receiving kernel completes checksums");
            }
        } catch (SocketException e) {
            return new Verdict(Kind.UNKNOWN, "cannot read the device of " + address.getHostAddress() + ": " + e.getMessage());
        }
        return classify(nif.getName(), new OsDevices(), 0);
    }

    /** Classifies a device, following the devices under it. */
    static Verdict classify(String device, Devices devices, int depth) {
        String[] info = devices.driver(device);
        if (info == null) {
            return new Verdict(Kind.UNKNOWN, "the driver of " + device + " cannot be read");
        }
        String driver = info[0];
        String bus = info[1];
        if (driver.equals("veth") || driver.equals("tun")) {
            return new Verdict(Kind.SOFTWARE, device + " is a " + (driver.equals("tun") ? "tap" : "veth") + ": nothing completes its checksums");
        }
        List<String> lowers = depth < MAX_DEPTH ? devices.lowers(device) : null;
        if (lowers != null && !lowers.isEmpty()) {
            boolean allHardware = true;
            for (String lower : lowers) {
                Verdict v = classify(lower, devices, depth + 1);
                if (v.kind == Kind.SOFTWARE) {
                    return new Verdict(Kind.SOFTWARE, device + " (" + driver + ") is over " + v.why);
                }
                allHardware &= v.kind == Kind.HARDWARE || v.kind == Kind.LOCAL;
            }
            return allHardware ? new Verdict(Kind.HARDWARE, device + " (" + driver + ") is over " + String.join(", ", lowers) + ": hardware")
                    : new Verdict(Kind.UNKNOWN, device + " (" + driver + "): what is under it cannot be told");
        }
        if (driver.equals("bridge")) {
            return new Verdict(Kind.SOFTWARE, device + " is a bridge" + (lowers == null ? " whose ports cannot be read" : " with no port")
                    + ": nothing completes its checksums");
        }
        if (!bus.isEmpty() && !bus.equals("N/A")) {
            return new Verdict(Kind.HARDWARE, device + " (" + driver + ", " + bus + ") is hardware");
        }
        return new Verdict(Kind.UNKNOWN, device + " (" + driver + ") is neither hardware nor a device known to complete no checksums");
    }

    /** The running system: ethtool's ioctl, and sysfs when it shows this namespace's devices. */
    static final class OsDevices implements Devices {
        @Override
        public String[] driver(String device) {
            try {
                Ifreq.checkName(device);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int fd;
            try {
                fd = Ifreq.controlSocket("ethtool " + device);
            } catch (IOException e) {
                return null;
            }
            try {
                ByteBuffer info = ByteBuffer.allocateDirect(DRVINFO_SIZE).order(ByteOrder.nativeOrder());
                info.putInt(0, ETHTOOL_GDRVINFO);
                Ifreq ifr = new Ifreq(device);
                ifr.putLong(0, LibC.addressOf(info));
                if (ifr.ioctl(fd, SIOCETHTOOL) != 0) {
                    return null;
                }
                return new String[] {text(info, DRIVER), text(info, BUS_INFO)};
            } finally {
                LibC.close(fd);
            }
        }

        private static String text(ByteBuffer b, int at) {
            byte[] bytes = new byte[32];
            int n = 0;
            while (n < 32 && b.get(at + n) != 0) {
                bytes[n] = b.get(at + n);
                n++;
            }
            return new String(bytes, 0, n, StandardCharsets.US_ASCII);
        }

        @Override
        public List<String> lowers(String device) {
            Path dir = Paths.get("/sys/class/net", device);
            try {
                NetworkInterface nif = NetworkInterface.getByName(device);
                if (nif == null || !sameDevice(dir, nif)) {
                    return null; // sysfs shows another namespace's devices (a thread that entered this one)
                }
                List<String> out = new ArrayList<>();
                try (DirectoryStream<Path> links = Files.newDirectoryStream(dir, "lower_*")) {
                    for (Path p : links) {
                        out.add(p.getFileName().toString().substring("lower_".length()));
                    }
                }
                out.sort(null);
                return out;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private static boolean sameDevice(Path dir, NetworkInterface nif) throws IOException {
            if (!Files.isDirectory(dir) || Integer.parseInt(Files.readString(dir.resolve("ifindex")).trim()) != nif.getIndex()) {
                return false;
            }
            byte[] mac = nif.getHardwareAddress();
            StringBuilder s = new StringBuilder();
            for (int i = 0; mac != null && i < mac.length; i++) {
                s.append(i == 0 ? "" : ":").append(String.format("%02x", mac[i] & 0xFF));
            }
            return Files.readString(dir.resolve("address")).trim().equals(s.toString());
        }
    }
}
