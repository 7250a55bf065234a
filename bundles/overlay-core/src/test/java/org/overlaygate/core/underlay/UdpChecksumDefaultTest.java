package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.Offload;
import org.overlaygate.core.os.PcapPort;
import org.overlaygate.testsupport.Netns;

/**
 * Issue 22, item 2: a UDP mux on an address of a veth leaves {@code udp_gso} off by default, so
 * what it sends leaves with complete (zero) UDP checksums, as a switch reading the other end with
 * AF_PACKET (Open vSwitch's userspace datapath, here libpcap) sees them; with {@code +udp_gso} it
 * sends trains, whose checksums that reader sees still partial. Root (namespaces, a veth).
 */
public class UdpChecksumDefaultTest {
    private static final UnderlayTransport UDP = UnderlayTransport.udp(4789, "t/listen_ip", "t/listen_port");
    private static final int PACKETS = 16;

    @Test
    public void overAVethGsoIsOffByDefaultAndEveryChecksumArrivesCompleteAndForcedItArrivesPartial() throws Exception {
        Netns.assumeAvailable("UdpChecksumDefaultTest");
        try (Netns a = Netns.create("ogcsa"); Netns b = Netns.create("ogcsb")) {
            Netns.run("ip", "link", "add", "va", "netns", a.name(), "type", "veth", "peer", "name", "vb", "netns", b.name()).check();
            a.exec("ip", "addr", "add", "10.9.2.1/24", "dev", "va").check();
            b.exec("ip", "addr", "add", "10.9.2.2/24", "dev", "vb").check();
            a.exec("ip", "link", "set", "va", "up").check();
            b.exec("ip", "link", "set", "vb", "up").check();
            PcapPort capture = b.call(() -> PcapPort.open("vb"));
            try {
                UdpMux byDefault = a.call(() -> UdpMux.open(new UnderlayKey("t", UDP, UnderlayAddress.parse("10.9.2.1:4789")),
                        new SourcePorts(50000, 50999, 1), 1 << 20, EnumSet.allOf(Offload.class), EnumSet.noneOf(Offload.class), () -> null));
                try {
                    String gso = byDefault.offloads().get("udp_gso");
                    assertTrue(gso, gso.startsWith("off: the underlay device completes no checksums (va is a veth"));
                    assertTrue(gso, gso.contains("+udp_gso in overlaygate.core.offloads forces it"));
                    assertEquals("on", byDefault.offloads().get("mmsg"));
                    sendTrain(byDefault, 4789);
                    List<int[]> seen = receive(capture, 4789, PACKETS);
                    for (int[] checksum : seen) {
                        assertEquals("zero UDP checksums (RFC 7348), nothing left partial: " + checksum[1], 0, checksum[0]);
                    }
                } finally {
                    byDefault.close();
                }

                UdpMux forced = a.call(() -> UdpMux.open(new UnderlayKey("t", UDP, UnderlayAddress.parse("10.9.2.1:4790")),
                        new SourcePorts(51000, 51999, 1), 1 << 20, EnumSet.allOf(Offload.class), EnumSet.of(Offload.UDP_GSO), () -> null));
                try {
                    assertEquals("on", forced.offloads().get("udp_gso"));
                    sendTrain(forced, 4790);
                    List<int[]> seen = receive(capture, 4790, 1);
                    assertTrue("forced, the train reaches an AF_PACKET reader with its checksum left partial (not zero, not valid): " + seen,
                            seen.stream().anyMatch(c -> c[0] != 0 && c[2] == 0));
                } finally {
                    forced.close();
                }
            } finally {
                capture.close();
            }
        }
    }

    /** {@value #PACKETS} datagrams of one flow to one destination in one batch: a GSO train where GSO is on. */
    private static void sendTrain(UdpMux mux, int port) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
        SendBatch batch = new SendBatch();
        Counters sent = new Counters("device");
        Counters refused = new Counters("vnic");
        UnderlayAddress to = UnderlayAddress.parse("10.9.2.2:" + port);
        for (int i = 0; i < PACKETS; i++) {
            int at = i * 1200;
            for (int k = 0; k < 1000; k++) {
                buf.put(at + k, (byte) (i + k));
            }
            batch.add(mux, buf, at, 1000, to, 7, sent, 1000, refused);
        }
        batch.flush();
        assertEquals(PACKETS, sent.packetsOut());
    }

    /**
     * Reads frames on the capture until {@code count} UDP datagrams to {@code port} have come (a
     * GSO super-frame counts once); for each: {checksum field, IP total length, 1 if the checksum
     * is valid else 0}.
     */
    private static List<int[]> receive(PcapPort capture, int port, int count) throws Exception {
        ByteBuffer frame = ByteBuffer.allocateDirect(1 << 17);
        List<int[]> out = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (out.size() < count && System.nanoTime() < deadline) {
            int n = capture.read(frame, 0, 200);
            if (n < 14 + 20 + 8 || (frame.getShort(12) & 0xFFFF) != 0x0800 || frame.get(14 + 9) != 17) {
                continue;
            }
            int ihl = (frame.get(14) & 0x0F) * 4;
            int udp = 14 + ihl;
            if ((frame.getShort(udp + 2) & 0xFFFF) != port) {
                continue;
            }
            int checksum = frame.getShort(udp + 6) & 0xFFFF;
            int udpLength = frame.getShort(udp + 4) & 0xFFFF;
            boolean valid = udpLength <= n - udp && checksum != 0 && udpChecksum(frame, udp, udpLength) == 0;
            out.add(new int[] {checksum, frame.getShort(14 + 2) & 0xFFFF, valid ? 1 : 0});
        }
        assertTrue("captured " + out.size() + " of " + count + " datagrams to port " + port, out.size() >= count);
        return out;
    }

    /** The one's-complement sum over the pseudo-header and the datagram, checksum included: 0 when it is right. */
    private static int udpChecksum(ByteBuffer frame, int udp, int length) {
        long sum = 0;
        for (int i = 0; i < 8; i += 2) {
            sum += frame.getShort(14 + 12 + i) & 0xFFFF; // source and destination addresses
        }
        sum += 17 + length;
        for (int i = 0; i < length; i += 2) {
            int hi = frame.get(udp + i) & 0xFF;
            int lo = i + 1 < length ? frame.get(udp + i + 1) & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
