package org.overlaygate.varpd.dhcp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.varpd.dhcp.ClientFrames.ip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The lease table's decisions over time (an injected clock), its bound, and its file. */
public class LeaseTableTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    private LeaseTable table(String range) {
        return new LeaseTable(DhcpConfig.parse(Map.of("dhcp/subnet", "10.2.0.0/24", "dhcp/range", range, "dhcp/lease", "60",
                "dhcp/reserve", "02:00:00:00:00:99=10.2.0.11")).scopes().get(DhcpConfig.NO_VLAN), now::get);
    }

    @Test
    public void aClientGetsItsOldAddressBackAndExpiredOnesAreReusedLast() {
        LeaseTable t = table("10.2.0.10-10.2.0.12");
        assertEquals("10.2.0.11 is reserved for another MAC: skipped", ip("10.2.0.10"), t.offer(1, 0, 0));
        assertTrue(t.request(1, 0, ip("10.2.0.10")).ack);
        assertEquals(ip("10.2.0.12"), t.offer(2, 0, 0));
        assertTrue(t.request(2, 0, ip("10.2.0.12")).ack);
        assertEquals("pool exhausted while both are bound", 0, t.offer(3, 0, 0));
        now.addAndGet(61_000);
        assertEquals("its own address again after expiry", ip("10.2.0.10"), t.offer(1, 0, 0));
        assertEquals("an expired lease of another client, once nothing else is left", ip("10.2.0.12"), t.offer(3, 0, 0));
        assertFalse("client 2's old address is someone else's offer now", t.request(2, 0, ip("10.2.0.12")).ack);
        assertEquals("the table holds one entry per address", 2, t.size());
    }

    @Test
    public void aDeclinedAddressIsSetAsideThenComesBack() {
        LeaseTable t = table("10.2.0.10-10.2.0.10");
        assertTrue(t.request(1, 0, ip("10.2.0.10")).ack);
        assertTrue(t.decline(1, ip("10.2.0.10")));
        assertEquals(0, t.offer(2, 0, 0));
        assertFalse(t.request(1, 0, ip("10.2.0.10")).ack);
        now.addAndGet(LeaseTable.DECLINE_HOLD_MS);
        assertEquals(ip("10.2.0.10"), t.offer(2, 0, 0));
    }

    @Test
    public void aReleasedAddressIsFreeAndAReleaseOfAnotherClientsAddressIsIgnored() {
        LeaseTable t = table("10.2.0.10-10.2.0.10");
        assertTrue(t.request(1, 0, ip("10.2.0.10")).ack);
        assertFalse(t.release(2, ip("10.2.0.10")));
        assertEquals(0, t.offer(2, 0, 0));
        assertTrue(t.release(1, ip("10.2.0.10")));
        assertEquals(ip("10.2.0.10"), t.offer(2, 0, 0));
    }

    @Test
    public void leasesSurviveInTheirFileAndADamagedLineIsSkipped() throws Exception {
        Path dir = Files.createTempDirectory("leases");
        LeaseTable t = table("10.2.0.10-10.2.0.20");
        assertTrue(t.request(1, 0, ip("10.2.0.10")).ack);
        assertTrue(t.request(0x0200_0000_0099L, 0, ip("10.2.0.11")).ack); // its reservation, asked for as INIT-REBOOT
        t.offer(3, 0, 0);
        LeaseFile file = new LeaseFile(dir, "ovl0");
        file.write(Map.of(DhcpConfig.NO_VLAN, t.leases()));
        try (var listing = Files.list(dir)) {
            assertEquals("no temporary file left", List.of(dir.resolve("ovl0.leases")), listing.toList());
        }
        Files.writeString(file.path(), Files.readString(file.path()) + "- 10.2.0.19 not-a-mac BOUND 5\n");
        Map<Integer, List<LeaseTable.Lease>> read = file.read();
        assertEquals("the offer is not kept, the damaged line skipped", 2, read.get(DhcpConfig.NO_VLAN).size());
        LeaseTable again = table("10.2.0.10-10.2.0.20");
        assertEquals(2, again.restore(read.get(DhcpConfig.NO_VLAN)));
        assertFalse("the address is still client 1's", again.request(2, 0, ip("10.2.0.10")).ack);
        assertTrue(again.request(1, 0, ip("10.2.0.10")).ack);
        file.delete();
        assertTrue(new LeaseFile(dir, "ovl0").read().isEmpty());
    }
}
