package org.overlaygate.varpd.shell;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

/** How {@code overlay:create -p} reads its arguments. */
public class OverlayCommandsTest {

    @Test
    public void commasSeparatePropertiesAndListValuesStayWhole() {
        assertEquals(List.of("a/x=1", "b/y=2"), OverlayCommands.splitProperties("a/x=1,b/y=2"));
        assertEquals(List.of("multicast/peers=10.0.0.2, 10.0.0.3", "multicast/ttl=4"),
                OverlayCommands.splitProperties("multicast/peers=10.0.0.2, 10.0.0.3,multicast/ttl=4"));
        assertEquals(List.of("geneve/options=0102:01:,0102:02:0000000a"), OverlayCommands.splitProperties("geneve/options=0102:01:,0102:02:0000000a"));
        assertEquals("a piece before any NAME= is still refused by the caller", List.of("10.0.0.2", "a/x=1"),
                OverlayCommands.splitProperties("10.0.0.2,a/x=1"));
        assertEquals(List.of("a/x="), OverlayCommands.splitProperties("a/x="));
    }
}
