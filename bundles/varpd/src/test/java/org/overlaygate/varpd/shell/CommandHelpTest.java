package org.overlaygate.varpd.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.shell.CommandException;

/** Every overlay: and vnic: command answers -h with its usage and options; operator errors are their message alone. */
public class CommandHelpTest {
    private final OverlayCommands overlay = new OverlayCommands(null); // -h and option errors never reach the manager
    private final VnicCommands vnic = new VnicCommands(null);
    private final DhcpCommands dhcp = new DhcpCommands(null);

    private interface Call {
        String run(String... args) throws Exception;
    }

    @Test
    public void everyCommandAnswersDashH() throws Exception {
        Map<String, Call> commands = new java.util.LinkedHashMap<>(Map.of(
                "overlay:create", overlay::create, "overlay:delete", overlay::delete, "overlay:show", overlay::show,
                "overlay:modify", overlay::modify, "overlay:stats", overlay::stats, "overlay:snoop", overlay::snoop,
                "vnic:create", vnic::create, "vnic:delete", vnic::delete, "vnic:show", vnic::show));
        commands.put("dhcp:set", dhcp::set);
        commands.put("dhcp:show", dhcp::show);
        commands.put("dhcp:leases", dhcp::leases);
        for (Map.Entry<String, Call> c : commands.entrySet()) {
            for (String h : List.of("-h", "--help")) {
                String help = c.getValue().run(h);
                assertTrue(c.getKey() + " " + h + ":\n" + help, help.startsWith("usage: " + c.getKey()));
                assertTrue(help, help.endsWith("\n"));
            }
        }
        String create = overlay.create("-e", "vxlan", "-h"); // anywhere among the words
        for (String option : List.of("-e ENCAP", "-s SEARCH", "-i INVALIDATION", "-v VNETID", "-p PROP=VALUE")) {
            assertTrue(create, create.contains("\n  " + option));
        }
        assertTrue(vnic.create("-h").contains("\n  -k memory"));
        assertTrue(dhcp.set("-h").contains("\n    range    FIRST-LAST"));
        assertEquals("nothing to change: give KEY=VALUE or -u KEY (usage: " + DhcpCommands.SET_USAGE + ")",
                assertThrows(CommandException.class, () -> dhcp.set("ovl0")).toString());
    }

    @Test
    public void errorsAreTheMessageAlone() {
        CommandException e = assertThrows(CommandException.class, () -> overlay.create("-s", "direct", "-v", "1", "ovl0"));
        assertEquals("missing -e ENCAP (usage: " + OverlayCommands.CREATE_USAGE + ")", e.toString());
        CommandException unknown = assertThrows(CommandException.class, () -> vnic.show("-x"));
        assertEquals("unknown option -x (usage: " + VnicCommands.SHOW_USAGE + ")", unknown.toString());
    }
}
