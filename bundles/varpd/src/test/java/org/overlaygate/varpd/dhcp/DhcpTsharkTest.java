package org.overlaygate.varpd.dhcp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.testsupport.Tshark;

/**
 * Wireshark's DHCP dissector reads the server's replies as intended: no malformed packet, no expert
 * information, good IPv4 and UDP checksums, and the message type, addresses and options (router,
 * DNS, domain, MTU, lease time, server identifier, classless routes) a client would take. Needs
 * {@code tshark}: skipped, saying why, when absent and not root.
 */
public class DhcpTsharkTest {
    private static final String[] COLUMNS = {"dhcp.option.dhcp", "eth.dst", "ip.dst", "dhcp.ip.your", "dhcp.ip.client",
        "dhcp.option.subnet_mask", "dhcp.option.router", "dhcp.option.domain_name_server", "dhcp.option.domain_name",
        "dhcp.option.interface_mtu", "dhcp.option.ip_address_lease_time", "dhcp.option.dhcp_server_id", "ip.checksum.status",
        "udp.checksum.status"};

    @Test
    public void tsharkReadsTheRepliesAsAClientWould() throws Exception {
        String tshark = Tshark.executableOrSkip();
        Scope scope = DhcpConfig.parse(Map.of("dhcp/subnet", "10.1.0.0/24", "dhcp/router", "10.1.0.1", "dhcp/dns", "10.1.0.53,10.1.0.54",
                "dhcp/domain", "tenant.example", "dhcp/lease", "600", "dhcp/routes", "10.8.0.0/16=10.1.0.2")).scopes().get(DhcpConfig.NO_VLAN);
        long server = DhcpService.serverMac(42, DhcpConfig.NO_VLAN);
        long client = 0x0200_0000_0A01L;
        List<byte[]> frames = new ArrayList<>();
        DhcpMessage discover = DhcpMessage.parse(new ClientFrames(DhcpMessage.DISCOVER, client).build());
        frames.add(DhcpReply.frame(discover, new DhcpReply.Answer(DhcpMessage.OFFER, ClientFrames.ip("10.1.0.100"), 600, null), scope, server,
                scope.router, 1400));
        frames.add(DhcpReply.frame(discover, DhcpReply.Answer.nak("not yours"), scope, server, scope.router, 1400));
        ClientFrames inform = new ClientFrames(DhcpMessage.INFORM, client);
        inform.ciaddr = ClientFrames.ip("10.1.0.9");
        frames.add(DhcpReply.frame(DhcpMessage.parse(inform.build()), new DhcpReply.Answer(DhcpMessage.ACK, 0, -1, null), scope, server,
                scope.router, 1400));
        String options = "255.255.255.0|10.1.0.1|10.1.0.53,10.1.0.54|tenant.example|1400|";
        List<String> expected = List.of(
                "2|02:00:00:00:0a:01|10.1.0.100|10.1.0.100|0.0.0.0|" + options + "600|10.1.0.254|1|1",
                "6|ff:ff:ff:ff:ff:ff|255.255.255.255|0.0.0.0|0.0.0.0|||||||10.1.0.254|1|1",
                "5|02:00:00:00:0a:01|10.1.0.9|0.0.0.0|10.1.0.9|" + options + "|10.1.0.254|1|1"); // checksum status 1: good

        Path pcap = Files.createTempFile("dhcp-replies", ".pcap");
        try {
            Tshark.writePcap(pcap, frames);
            List<String> command = new ArrayList<>(List.of(tshark, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-r",
                    pcap.toString(), "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"));
            for (String c : COLUMNS) {
                command.add("-e");
                command.add(c);
            }
            assertEquals(String.join("\n", expected), String.join("\n", Tshark.run(command).lines().toList()));
            String verbose = Tshark.run(List.of(tshark, "-r", pcap.toString(), "-V"));
            assertFalse(verbose, verbose.contains("Malformed"));
            assertFalse(verbose, verbose.contains("Expert Info"));
            assertTrue(verbose, verbose.contains("10.8.0.0/16-10.1.0.2") && verbose.contains("default-10.1.0.1"));
        } finally {
            Files.deleteIfExists(pcap);
        }
    }
}
