package org.overlaygate.router;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The neighbour state machine, on an injected clock, with what it asks for recorded. */
public class NeighbourTableTest {
    static final long S = 1_000_000_000L;
    final AtomicLong now = new AtomicLong(100 * S);
    final List<String> asked = new ArrayList<>();
    boolean lookupAvailable = true;

    final NeighbourTable table = new NeighbourTable(now::get, new NeighbourTable.Actions() {
        @Override
        public boolean lookup(Neighbour n) {
            asked.add("lookup " + Ip.format(n.hi, n.lo));
            return lookupAvailable;
        }

        @Override
        public void probe(Neighbour n) {
            asked.add("probe " + Ip.format(n.hi, n.lo));
        }

        @Override
        public void release(Neighbour n, List<Neighbour.Held> held) {
            asked.add("release " + held.size());
        }

        @Override
        public void unreachable(Neighbour n, List<Neighbour.Held> held) {
            asked.add("unreachable " + held.size());
        }
    });

    final long[] a = Ip.parse("10.2.0.7");

    Neighbour.Held packet() {
        return new Neighbour.Held(new byte[100], null, 0);
    }

    List<String> take() {
        List<String> out = new ArrayList<>(asked);
        asked.clear();
        return out;
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
        table.tick();
    }

    @Test
    public void theSearchPluginIsAskedFirstThenArp() {
        assertEquals(NeighbourTable.Hold.HELD, table.hold(a[0], a[1], packet()));
        assertEquals(List.of("lookup 10.2.0.7"), take());
        table.hold(a[0], a[1], packet());
        assertEquals("asked once", List.of(), take());
        table.lookupEmpty(table.get(a[0], a[1]));
        assertEquals(List.of("probe 10.2.0.7"), take());
        advance(S / 2);
        assertEquals(List.of(), take());
        advance(S / 2);
        assertEquals("probed again each second", List.of("probe 10.2.0.7"), take());
        table.confirm(a[0], a[1], 0x0200_0000_0007L, "arp");
        assertEquals(List.of("release 2"), take());
        assertEquals(Neighbour.State.REACHABLE, table.get(a[0], a[1]).state);
    }

    @Test
    public void withoutASearchPluginArpGoesAtOnce() {
        lookupAvailable = false;
        table.hold(a[0], a[1], packet());
        assertEquals(List.of("lookup 10.2.0.7", "probe 10.2.0.7"), take());
    }

    @Test
    public void unansweredForThreeSecondsThePacketsSendersAreTold() {
        for (int i = 0; i < 6; i++) {
            table.hold(a[0], a[1], packet());
        }
        take();
        advance(2 * S);
        take();
        advance(S);
        assertEquals(List.of("unreachable 4"), take());
        assertNull("forgotten: the next packet starts again", table.get(a[0], a[1]));
    }

    @Test
    public void reachableGoesStaleAfterThirtySecondsAndIsProbedWhenUsed() {
        table.hold(a[0], a[1], packet());
        table.confirm(a[0], a[1], 7, "lookup");
        take();
        Neighbour n = table.get(a[0], a[1]);
        advance(29 * S);
        assertEquals(Neighbour.State.REACHABLE, n.state);
        advance(S);
        assertEquals(Neighbour.State.STALE, n.state);
        advance(S);
        assertEquals("unused: left alone", List.of(), take());
        n.usedWhileStale = true; // what the data path does
        advance(S / 10);
        assertEquals(Neighbour.State.PROBE, n.state);
        assertEquals(List.of("lookup 10.2.0.7"), take());
        table.confirm(a[0], a[1], 7, "lookup");
        assertEquals(Neighbour.State.REACHABLE, n.state);
        // stale and used again, then silent: removed after 3 s
        advance(30 * S);
        n.usedWhileStale = true;
        advance(S / 10);
        take();
        advance(S);
        assertEquals("probed while in doubt", List.of("probe 10.2.0.7"), take());
        advance(2 * S);
        assertNull(table.get(a[0], a[1]));
    }

    @Test
    public void staleAndUnusedForAMinuteIsForgotten() {
        table.heardFrom(a[0], a[1], 7, "arp");
        assertEquals(Neighbour.State.STALE, table.get(a[0], a[1]).state);
        advance(59 * S);
        assertEquals(Neighbour.State.STALE, table.get(a[0], a[1]).state);
        advance(S);
        assertNull(table.get(a[0], a[1]));
    }

    @Test
    public void unsolicitedAnswersCreateNothingAndTheTableIsBounded() {
        table.confirm(a[0], a[1], 7, "arp");
        assertNull(table.get(a[0], a[1]));
        for (int i = 0; i < NeighbourTable.MAX_ENTRIES; i++) {
            assertEquals(NeighbourTable.Hold.HELD, table.hold(0, Ip.v4Lo(0x0A00_0000 + i), packet()));
        }
        assertEquals(NeighbourTable.Hold.TABLE_FULL, table.hold(0, Ip.v4Lo(0x0B00_0000), packet()));
        long[] first = {0, Ip.v4Lo(0x0A00_0000)};
        assertSame(table.get(first[0], first[1]), table.get(first[0], first[1]));
        advance(3 * S);
        assertEquals("all gave up and were removed", 0, table.entries().size());
        assertEquals(NeighbourTable.Hold.HELD, table.hold(0, Ip.v4Lo(0x0B00_0000), packet()));
    }
}
