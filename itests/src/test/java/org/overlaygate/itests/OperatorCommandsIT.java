package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

/**
 * The appliance as the systemd unit runs it (OVERLAYGATE_LOG=journal: the log on standard output)
 * and an operator's first commands through overlayadm: a command's output is the command's alone,
 * the log lines it causes go to the journal; a typo is answered with the nearest command, a
 * misspelled property by its name; {@code help} helps; {@code overlaygate --help} is the usage.
 */
public class OperatorCommandsIT {
    private static final long START_MS = 60_000;

    @Test
    public void underSystemdTheLogGoesToTheJournalAndMistakesAreExplained() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            Distribution.Result usage = dist.run(dist.home.resolve("bin/overlaygate").toString(), "--help");
            assertEquals(usage.toString(), 0, usage.status);
            assertTrue(usage.out, usage.out.startsWith("usage: overlaygate [--daemon] [--data DIR] [--profile NAME]\n"));
            assertEquals("", usage.err);

            dist.startCommand(Map.of("OVERLAYGATE_LOG", "journal"), List.of(dist.home.resolve("bin/overlaygate").toString()));
            dist.awaitReady(START_MS);
            int port = SystemTests.freeUdpPort("127.0.0.1");
            Distribution.Result created = dist.overlayadm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "77", "-p",
                    "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + port + ",direct/dest_ip=127.0.0.2,direct/dest_port=4789", "j0");
            assertEquals(created.toString(), 0, created.status);
            assertTrue(created.toString(), created.out.matches("overlay j0 created: vxlan vnet 77, direct, mtu \\d+, ONLINE\n"));
            assertEquals(created.toString(), "", created.err);
            String journal = dist.console(0);
            assertTrue(journal, journal.contains("[overlayadm-connection] org.overlaygate.admin.CommandRunner - overlayadm: overlay:create"));
            assertTrue("the lines the command logged are in the journal too:\n" + journal,
                    journal.lines().filter(l -> l.contains("[overlayadm-connection]") && !l.contains("overlayadm: ")).count() >= 1);

            Distribution.Result typo = dist.overlayadm("overlay:creat", "-e", "vxlan");
            assertEquals(typo.toString(), 1, typo.status);
            assertEquals("command not found: overlay:creat (did you mean overlay:create?); help lists the appliance's commands\n", typo.err);

            Distribution.Result property = dist.overlayadm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "78", "-p",
                    "vxlan/listen_pi=127.0.0.1,direct/dest_ip=127.0.0.2", "j1");
            assertEquals(property.toString(), 1, property.status);
            assertTrue(property.err, property.err.startsWith("unknown property vxlan/listen_pi (did you mean vxlan/listen_ip?); vxlan's properties: "));

            String help = dist.adm("help");
            assertTrue(help, help.lines().anyMatch(l -> l.matches("  overlay:create\\s+creates overlay NAME and stores it.*")));
            assertTrue(help, help.lines().anyMatch(l -> l.matches("  vnic:create\\s+\\S.*")));
            String overlay = dist.adm("help", "overlay");
            assertTrue(overlay, overlay.contains("usage: overlay:create -e ENCAP -s SEARCH"));
            assertTrue(overlay, overlay.contains("usage: overlay:stats [NAME]"));
            String vnic = dist.adm("help", "vnic");
            assertTrue(vnic, vnic.contains("usage: vnic:create -l OVERLAY"));
            String create = dist.adm("help", "overlay:create");
            assertEquals(dist.adm("overlay:create", "-h"), create);
            assertFalse(create, create.contains("parameters"));
        }
    }
}
