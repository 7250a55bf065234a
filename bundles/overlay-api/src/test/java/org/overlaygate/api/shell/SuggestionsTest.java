package org.overlaygate.api.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;

import org.junit.Test;

public class SuggestionsTest {
    private static final List<String> COMMANDS = List.of("overlay:create", "overlay:delete", "overlay:show", "overlay:stats",
            "overlay:plugins", "vnic:create", "vnic:show", "katar:show");

    @Test
    public void nearestCommand() {
        assertEquals("overlay:create", Suggestions.nearest("overlay:creat", COMMANDS));
        assertEquals("overlay:create", Suggestions.nearest("overlay:craete", COMMANDS));
        assertEquals("overlay:stats", Suggestions.nearest("Overlay:Stat", COMMANDS));
        assertEquals("overlay:plugins", Suggestions.nearest("plugin", COMMANDS));
        assertEquals("vnic:create", Suggestions.nearest("vnic:creat", COMMANDS));
        assertNull("nothing near", Suggestions.nearest("reboot", COMMANDS));
        assertNull("an exact name is no suggestion", Suggestions.nearest("vnic:show", COMMANDS));
        assertEquals(" (did you mean overlay:delete?)", Suggestions.didYouMean("overlay:delte", COMMANDS));
        assertEquals("", Suggestions.didYouMean("xyz", COMMANDS));
    }

    @Test
    public void nearestProperty() {
        List<String> props = List.of("vxlan/listen_ip", "vxlan/listen_port", "direct/dest_ip", "direct/dest_port");
        assertEquals("vxlan/listen_ip", Suggestions.nearest("vxlan/listen_pi", props));
        assertEquals("direct/dest_port", Suggestions.nearest("direct/destport", props));
        assertNull(Suggestions.nearest("vxlan/mtu", props));
    }

    @Test
    public void distanceCountsSwapsAsOneEdit() {
        assertEquals(1, Suggestions.distance("ab", "ba"));
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
        assertEquals(0, Suggestions.distance("", ""));
        assertEquals(4, Suggestions.distance("", "abcd"));
    }
}
