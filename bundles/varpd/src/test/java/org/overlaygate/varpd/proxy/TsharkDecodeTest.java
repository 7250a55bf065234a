package org.overlaygate.varpd.proxy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_A;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_B;
import static org.overlaygate.varpd.proxy.Fixtures.TCI;
import static org.overlaygate.varpd.proxy.Fixtures.frame;
import static org.overlaygate.varpd.proxy.Fixtures.ip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.Test;
import org.overlaygate.testsupport.Tshark;

/**
 * Wireshark's dissectors read the frames this package builds (replies to the captured queries and
 * announcements, untagged and tagged) as intended: no malformed packet, no expert information at
 * all, good ICMPv6 checksums, and the expected addresses, flags and options. Needs {@code tshark}:
 * skipped, saying why, when it is absent and this does not run as root; as root (CI, where
 * ./test.sh installs it) its absence fails.
 */
public class TsharkDecodeTest {
    private static final String[] COLUMNS = {"frame.number", "_ws.malformed", "_ws.expert.severity", "eth.dst", "eth.src", "vlan.id",
        "vlan.priority", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4", "arp.isgratuitous",
        "ipv6.src", "ipv6.dst", "ipv6.hlim", "icmpv6.type", "icmpv6.checksum.status", "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s",
        "icmpv6.nd.na.flag.o", "icmpv6.nd.na.target_address", "icmpv6.opt.type", "icmpv6.opt.linkaddr"};
    private static final String A = "02:00:00:00:0a:01";
    private static final String B = "02:00:00:00:0b:01";

    private final List<byte[]> frames = new ArrayList<>();
    private final List<String> expected = new ArrayList<>();

    @Test
    public void tsharkDecodesTheBuiltFramesAsIntended() throws Exception {
        String tshark = Tshark.executableOrSkip();
        for (int tci : new int[] {AddressQuery.UNTAGGED, TCI}) {
            Map<String, String> vlan = tci == AddressQuery.UNTAGGED ? Map.of() : Map.of("vlan.id", "42", "vlan.priority", "5");
            add(ProxyFrames.reply(ProxyFrames.parse(frame("arp_request", tci)).value(), MAC_B), vlan, "eth.dst", A, "eth.src", B,
                    "arp.opcode", "2", "arp.src.hw_mac", B, "arp.src.proto_ipv4", "10.0.0.2", "arp.dst.hw_mac", A, "arp.dst.proto_ipv4",
                    "10.0.0.1");
            for (String ns : new String[] {"ns_request", "ns_ndisc6"}) {
                add(ProxyFrames.reply(ProxyFrames.parse(frame(ns, tci)).value(), MAC_B), vlan, "eth.dst", A, "eth.src", B, "ipv6.src",
                        "fd00::2", "ipv6.dst", "fd00::1", "ipv6.hlim", "255", "icmpv6.type", "136", "icmpv6.checksum.status", "1",
                        "icmpv6.nd.na.flag.r", "0", "icmpv6.nd.na.flag.s", "1", "icmpv6.nd.na.flag.o", "1", "icmpv6.nd.na.target_address",
                        "fd00::2", "icmpv6.opt.type", "2", "icmpv6.opt.linkaddr", B);
            }
            add(ProxyFrames.announce(ip("10.0.0.1"), MAC_A, tci), vlan, "eth.dst", "ff:ff:ff:ff:ff:ff", "eth.src", A, "arp.opcode", "1",
                    "arp.src.hw_mac", A, "arp.src.proto_ipv4", "10.0.0.1", "arp.dst.hw_mac", "00:00:00:00:00:00", "arp.dst.proto_ipv4",
                    "10.0.0.1", "arp.isgratuitous", "1");
            add(ProxyFrames.announce(ip("fd00::1"), MAC_A, tci), vlan, "eth.dst", "33:33:00:00:00:01", "eth.src", A, "ipv6.src", "fd00::1",
                    "ipv6.dst", "ff02::1", "ipv6.hlim", "255", "icmpv6.type", "136", "icmpv6.checksum.status", "1", "icmpv6.nd.na.flag.r", "0",
                    "icmpv6.nd.na.flag.s", "0", "icmpv6.nd.na.flag.o", "1", "icmpv6.nd.na.target_address", "fd00::1", "icmpv6.opt.type", "2",
                    "icmpv6.opt.linkaddr", A);
        }

        Path pcap = Files.createTempFile("proxy-frames", ".pcap");
        try {
            Tshark.writePcap(pcap, frames);
            List<String> command = new ArrayList<>(List.of(tshark, "-r", pcap.toString(), "-T", "fields", "-E", "separator=|", "-E",
                    "occurrence=a", "-E", "aggregator=;"));
            for (String column : COLUMNS) {
                command.add("-e");
                command.add(column);
            }
            List<String> rows = Tshark.run(command).lines().collect(Collectors.toList());
            assertEquals(String.join("\n", expected), String.join("\n", rows));

            String verbose = Tshark.run(List.of(tshark, "-r", pcap.toString(), "-V"));
            assertFalse(verbose, verbose.contains("Malformed"));
            assertFalse(verbose, verbose.contains("Expert Info"));
            assertFalse(verbose, verbose.contains("[Checksum Status: Bad]"));
            long advertisements = expected.stream().filter(r -> r.contains("|136|")).count();
            assertEquals(verbose, advertisements, verbose.split("\\[Checksum Status: Good\\]", -1).length - 1);
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    /** A built frame and the fields tshark must report for it (all others empty). */
    private void add(Result<byte[]> built, Map<String, String> vlan, String... fields) {
        assertTrue(built.toString(), built.ok());
        frames.add(built.value());
        Map<String, String> values = new HashMap<>(vlan);
        for (int i = 0; i < fields.length; i += 2) {
            values.put(fields[i], fields[i + 1]);
        }
        values.put("frame.number", Integer.toString(frames.size()));
        List<String> row = new ArrayList<>();
        for (String column : COLUMNS) {
            row.add(values.getOrDefault(column, ""));
        }
        expected.add(String.join("|", row));
    }
}
