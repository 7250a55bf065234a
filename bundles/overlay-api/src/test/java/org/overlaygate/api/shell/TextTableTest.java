package org.overlaygate.api.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;

import org.junit.Test;

public class TextTableTest {

    @Test
    public void padsColumnsToWidestCell() {
        String out = new TextTable("LINK", "PROPERTY", "VALUE")
                .row("ovl0", "vxlan/listen_ip", "10.0.0.1")
                .row("overlay12", "mtu", null)
                .render();
        assertEquals("LINK       PROPERTY         VALUE\n"
                + "ovl0       vxlan/listen_ip  10.0.0.1\n"
                + "overlay12  mtu              --\n", out);
    }

    @Test
    public void parseableEscapesColonsAndPicksFields() {
        TextTable t = new TextTable("LINK", "TARGET", "DESTINATION").row("ovl0", "02:00:00:00:00:01", "10.0.0.2:4789");
        assertEquals("02\\:00\\:00\\:00\\:00\\:01:ovl0\n", t.renderParseable(List.of("target", "LINK")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.renderParseable(List.of("nope")));
        assertEquals("unknown field 'nope' (fields: link,target,destination)", e.getMessage());
    }

    @Test
    public void refusesRowsOfWrongWidth() {
        assertThrows(IllegalArgumentException.class, () -> new TextTable("A", "B").row("x"));
    }
}
