package org.overlaygate.varpd.shell;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.SnoopedFrame;

/** One line per frame, in the spirit of {@code tcpdump -e}: time, direction, MACs, protocol, addresses. */
final class FrameSummary {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private FrameSummary() {
    }

    static String describe(SnoopedFrame f) {
        byte[] b = f.frame();
        String time = TIME.format(Instant.ofEpochSecond(0, f.timestampNanos()));
        String dir = f.direction() == SnoopedFrame.Direction.FROM_VNIC ? "vnic>" : "<net ";
        if (b.length < 14) {
            return time + " " + dir + " runt, length " + b.length;
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        String macs = MacAddress.format(MacAddress.read(b, 6)) + " > " + MacAddress.format(MacAddress.read(b, 0));
        int type = buf.getShort(12) & 0xFFFF;
        int p = 14;
        String vlan = "";
        if (type == 0x8100 && b.length >= 18) {
            vlan = "vlan " + (buf.getShort(14) & 0x0FFF) + ", ";
            type = buf.getShort(16) & 0xFFFF;
            p = 18;
        }
        return time + " " + dir + " " + macs + ", " + vlan + payload(buf, type, p) + ", length " + b.length;
    }

    private static String payload(ByteBuffer b, int type, int p) {
        int n = b.limit();
        if (type == 0x0806 && p + 28 <= n) {
            int op = b.getShort(p + 6) & 0xFFFF;
            String target = ip(b, p + 24, 4);
            String sender = ip(b, p + 14, 4);
            return op == 1 ? "ARP who-has " + target + " tell " + sender : op == 2 ? "ARP reply " + sender + " is-at "
                    + MacAddress.format(MacAddress.read(b, p + 8)) : "ARP op " + op;
        }
        if (type == 0x0800 && p + 20 <= n) {
            int proto = b.get(p + 9) & 0xFF;
            return "IPv4 " + ip(b, p + 12, 4) + " > " + ip(b, p + 16, 4) + " " + protocol(proto);
        }
        if (type == 0x86DD && p + 40 <= n) {
            int next = b.get(p + 6) & 0xFF;
            return "IPv6 " + ip(b, p + 8, 16) + " > " + ip(b, p + 24, 16) + " " + protocol(next);
        }
        return String.format("ethertype 0x%04x", type);
    }

    private static String protocol(int proto) {
        switch (proto) {
            case 1:
                return "ICMP";
            case 6:
                return "TCP";
            case 17:
                return "UDP";
            case 58:
                return "ICMPv6";
            default:
                return "proto " + proto;
        }
    }

    private static String ip(ByteBuffer b, int at, int len) {
        byte[] a = Arrays.copyOfRange(b.array(), at, at + len);
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }
}
