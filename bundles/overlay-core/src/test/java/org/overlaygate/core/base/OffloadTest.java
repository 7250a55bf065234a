package org.overlaygate.core.base;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.EnumSet;

import org.junit.Test;

/** The operator's offloads setting: what it allows, and what it forces ({@code +udp_gso}). */
public class OffloadTest {
    @Test
    public void allNoneListsAndExceptionsAllowWhatTheySayAndForceNothing() {
        assertEquals(EnumSet.allOf(Offload.class), Offload.parse("all"));
        assertEquals(EnumSet.allOf(Offload.class), Offload.parse(""));
        assertEquals(EnumSet.noneOf(Offload.class), Offload.parse("none"));
        assertEquals(EnumSet.of(Offload.MMSG, Offload.UDP_GRO), Offload.parse("mmsg, udp_gro"));
        assertEquals(EnumSet.complementOf(EnumSet.of(Offload.UDP_GSO, Offload.TAP_GRO)), Offload.parse("-udp_gso,-tap_gro"));
        for (String s : new String[] {"all", "", "none", "mmsg,udp_gso", "-udp_gso", null}) {
            assertEquals(s, EnumSet.noneOf(Offload.class), Offload.forced(s));
        }
    }

    @Test
    public void plusUdpGsoAllowsEverythingAndForcesUdpGso() {
        assertEquals(EnumSet.allOf(Offload.class), Offload.parse("+udp_gso"));
        assertEquals(EnumSet.of(Offload.UDP_GSO), Offload.forced("+udp_gso"));
        assertEquals(EnumSet.complementOf(EnumSet.of(Offload.TAP_GRO)), Offload.parse("+udp_gso,-tap_gro"));
        assertEquals(EnumSet.of(Offload.UDP_GSO), Offload.forced("+udp_gso,-tap_gro"));
        assertEquals(EnumSet.of(Offload.MMSG, Offload.UDP_GSO), Offload.parse("mmsg,+udp_gso"));
        assertEquals(EnumSet.of(Offload.UDP_GSO), Offload.forced("mmsg,+udp_gso"));
        assertEquals("a later -udp_gso takes it back", EnumSet.noneOf(Offload.class), Offload.forced("+udp_gso,-udp_gso"));
    }

    @Test
    public void onlyUdpGsoCanBeForcedAndUnknownNamesAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Offload.parse("+mmsg"));
        assertTrue(e.getMessage(), e.getMessage().contains("only udp_gso can be forced"));
        e = assertThrows(IllegalArgumentException.class, () -> Offload.forced("+tap_tso"));
        assertTrue(e.getMessage(), e.getMessage().contains("only udp_gso can be forced"));
        e = assertThrows(IllegalArgumentException.class, () -> Offload.parse("+udp_gsx"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("no offload 'udp_gsx'"));
    }
}
