package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

public class CommandPolicyTest {
    static final long ADMIN = 14;

    /** A framework: our commands, Gogo's and SCR's built-ins, and a few bundles. */
    static CommandPolicy.Catalog catalog() {
        Map<String, Set<String>> commands = new HashMap<>();
        for (String c : List.of("overlay:create", "overlay:show", "overlay:plugins", "vnic:create", "katar:host-add", "katar:config")) {
            commands.put(c, Set.of("org.overlaygate.varpd"));
        }
        commands.put("acme:create", Set.of("org.overlaygate.plugin.acme"));
        commands.put("shadow:show", Set.of("org.overlaygate.varpd", "com.example.evil"));
        for (String c : List.of("help", "lb", "install", "update", "start", "stop", "refresh", "headers", "ls", "cd", "uninstall")) {
            commands.put("felix:" + c, Set.of("org.apache.felix.gogo.command"));
        }
        for (String c : List.of("list", "info", "disable", "enable")) {
            commands.put("scr:" + c, Set.of("org.apache.felix.scr"));
        }
        return catalog(commands);
    }

    /** A framework with these commands and a few bundles. */
    static CommandPolicy.Catalog catalog(Map<String, Set<String>> commands) {
        Map<Long, String> bundles = Map.of(0L, "org.apache.felix.framework", 5L, "org.apache.felix.scr", ADMIN, "org.overlaygate.overlay.admin",
                20L, "org.overlaygate.search.direct", 21L, "org.overlaygate.varpd");
        return new CommandPolicy.Catalog() {
            @Override
            public Map<String, Set<String>> commands() {
                return commands;
            }

            @Override
            public String bundle(long id) {
                return bundles.get(id);
            }

            @Override
            public long self() {
                return ADMIN;
            }
        };
    }

    private final CommandPolicy policy = new CommandPolicy(catalog());

    CommandPolicy.Allowed check(String line) {
        return policy.check(CommandLine.parse(line));
    }

    String refusal(String line) {
        return assertThrows(line, IllegalArgumentException.class, () -> check(line)).getMessage();
    }

    @Test
    public void ourOwnCommandsRunWithTheirArguments() {
        assertEquals(new CommandPolicy.Allowed("overlay:create", List.of("-e", "vxlan", "o"), false), check("overlay:create -e vxlan o"));
        assertEquals("a plugin's own scope", "acme:create", check("acme:create x").name());
        assertEquals("a bare name that is one allowed command", "overlay:plugins", check("plugins").name());
        assertEquals("felix:lb", check("lb").name());
        assertEquals("names are case-insensitive, as in Gogo", "overlay:show", check("Overlay:Show").name());
        assertEquals("ambiguous command create: give its scope, one of acme:create, overlay:create, vnic:create", refusal("create"));
        assertEquals("command not found: overlay:nonsense; help lists the appliance's commands", refusal("overlay:nonsense"));
        assertEquals("command not found: nonsense; help lists the appliance's commands", refusal("nonsense"));
    }

    @Test
    public void aMistypedCommandIsAnsweredWithTheNearestOneThisSocketRuns() {
        assertEquals("command not found: overlay:creat (did you mean overlay:create?); help lists the appliance's commands",
                refusal("overlay:creat"));
        assertEquals("command not found: plugin (did you mean overlay:plugins?); help lists the appliance's commands", refusal("plugin"));
        assertFalse("never one it refuses", refusal("felix:instal").contains("felix:install"));
    }

    @Test
    public void aBareNameThatIsOneOfOurOwnIsOursEvenWhenABuiltinHasItToo() {
        Map<String, Set<String>> commands = new HashMap<>(catalog().commands());
        commands.put("overlaygate:help", Set.of("org.overlaygate.overlay.admin"));
        CommandPolicy withHelp = new CommandPolicy(catalog(commands));
        assertEquals("overlaygate:help", withHelp.check(CommandLine.parse("help overlay")).name());
        assertEquals("felix:help", withHelp.check(CommandLine.parse("felix:help lb")).name());
    }

    @Test
    public void otherBuiltinsAreRefused() {
        for (String line : List.of("felix:install file:/tmp/x.jar", "felix:ls /root", "felix:cd /", "scr:disable org.overlaygate.admin.AdminSocketServer",
                "felix:uninstall 20", "install /tmp/x.jar", "shadow:show")) {
            String why = refusal(line);
            assertTrue(why, why.contains("is not available through overlayadm"));
            assertTrue(why, why.contains("the console on a terminal has the full shell"));
        }
    }

    @Test
    public void bundleCommandsTakeIdsOfOurOwnBundlesOnly() {
        CommandPolicy.Allowed update = check("felix:update 20");
        assertEquals(List.of("20"), update.arguments());
        assertTrue("felix:update reports failure as text", update.textIsError());
        assertEquals(List.of("20", "21"), check("felix:stop 20 21").arguments());
        assertFalse(check("felix:lb -s over").textIsError());
        assertEquals("scr:list", check("scr:list 5").name());
        assertEquals("felix:headers", check("felix:headers 0").name());

        assertEquals("felix:update takes 1 argument (bundle ids, see felix:lb), not 0", refusal("felix:update"));
        assertEquals("felix:update takes 1 argument (bundle ids, see felix:lb), not 2", refusal("felix:update 20 file:/tmp/evil.jar"));
        assertEquals("felix:update: 'file:/tmp/x.jar' is not a bundle id (a number, see felix:lb)", refusal("felix:update file:/tmp/x.jar"));
        assertEquals("felix:start: 'file:/tmp/x.jar' is not a bundle id (a number, see felix:lb)", refusal("felix:start file:/tmp/x.jar"));
        assertEquals("felix:update: no bundle 99", refusal("felix:update 99"));
        assertEquals("felix:update: no bundle -1", refusal("felix:update -1"));
        assertTrue(refusal("felix:stop 14"), refusal("felix:stop 14").startsWith("felix:stop: bundle 14 (org.overlaygate.overlay.admin) serves this admin socket"));
        assertTrue(refusal("felix:stop 0"), refusal("felix:stop 0").startsWith("felix:stop: bundle 0 (org.apache.felix.framework) is not one of the appliance's own"));
        assertTrue(refusal("felix:update 5").startsWith("felix:update: bundle 5 (org.apache.felix.scr) is not one of the appliance's own"));
        assertTrue(refusal("scr:info"), refusal("scr:info").startsWith("scr:info takes 1 argument, not 0"));
    }
}
