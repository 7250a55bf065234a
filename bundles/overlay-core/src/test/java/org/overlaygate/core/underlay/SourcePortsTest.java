package org.overlaygate.core.underlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.testsupport.LoopbackPorts;

/**
 * The sending pool finds free source ports wherever they are in the range: a CI run failed to
 * create overlays ("no free UDP source ports in 49152-65535 (16 sockets)") because a taken port of
 * the pool's spread made it retry only the spread's other ports.
 */
public class SourcePortsTest {
    private static final UnderlayTransport UDP = UnderlayTransport.udp(4789, "t/listen_ip", "t/listen_port");

    @Test
    public void aSlotsProbesVisitEveryPortOfTheRangeOnce() {
        SourcePorts ports = new SourcePorts(49152, 65535, 16);
        for (int slot : new int[] {0, 7, 15}) {
            Set<Integer> seen = new HashSet<>();
            for (int probe = 0; probe < ports.range(); probe++) {
                int port = ports.candidate(12345, slot, probe);
                assertTrue(port + " in range", port >= 49152 && port <= 65535);
                assertTrue("port " + port + " visited twice by slot " + slot, seen.add(port));
            }
            assertEquals(ports.range(), seen.size());
        }
    }

    @Test
    public void thePoolOpensWhenEveryPortOfItsSpreadIsTakenByAnotherSocket() throws Exception {
        SourcePorts ports = new SourcePorts(45000, 45255, 16);
        UnderlayKey key = new UnderlayKey("t", UDP, UnderlayAddress.parse("127.0.0.1:" + LoopbackPorts.freeUdpPort()));
        int[] spread;
        UdpMux first = UdpMux.open(key, ports, 1 << 16);
        try {
            spread = first.sourcePorts();
        } finally {
            first.close();
        }
        List<DatagramSocket> others = new ArrayList<>();
        try {
            for (int port : spread) {
                try {
                    others.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                } catch (BindException alreadyTaken) {
                    // taken by someone else since: just as good for this test
                }
            }
            UdpMux second = UdpMux.open(key, ports, 1 << 16);
            try {
                int[] got = second.sourcePorts();
                assertEquals(16, Arrays.stream(got).distinct().count());
                for (int port : got) {
                    assertTrue(port + " in range", port >= 45000 && port <= 45255);
                    assertFalse(port + " was taken by another socket", Arrays.stream(spread).anyMatch(p -> p == port));
                }
            } finally {
                second.close();
            }
        } finally {
            others.forEach(DatagramSocket::close);
        }
    }
}
