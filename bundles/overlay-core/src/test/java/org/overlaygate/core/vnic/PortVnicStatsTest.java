package org.overlaygate.core.vnic;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.base.DropReasons;

/** A VNIC's counters include the frames its OS side dropped for their size, which the reader never saw. */
public class PortVnicStatsTest {

    /** An attached interface whose reader dropped {@code oversized} merged frames (GRO, a veth peer's TSO). */
    static final class Oversized extends TcpCoalescerTest.FakeTap {
        long oversized;

        @Override
        public long oversizedReads() {
            return oversized;
        }
    }

    @Test
    public void framesTooBigToReadAreCountedAsTooBig() {
        Oversized itf = new Oversized();
        PortVnic vnic = new PortVnic("vnic", 0x0200_0000_0001L, null, VnicConfig.Kind.PCAP, itf);
        assertNull("nothing dropped, no reason listed", vnic.stats().drops().get(DropReasons.TOO_BIG));
        itf.oversized = 3;
        assertEquals(3, vnic.stats().drops().get(DropReasons.TOO_BIG).longValue());
        vnic.counters().drop(DropReasons.TOO_BIG);
        assertEquals("added to the VNIC's own", 4, vnic.stats().drops().get(DropReasons.TOO_BIG).longValue());
    }
}
