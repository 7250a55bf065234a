package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.shell.CommandException;
import org.overlaygate.api.shell.Commands;

/** {@code help} and the prompt's not-found handler, in a real Gogo runtime with commands that answer {@code -h} as ours do. */
public class CommandHelpTest {
    /** Stands for overlay:create and overlay:show. */
    public static final class Overlay {
        public String create(String... args) throws Exception {
            return Commands.run(args, "usage: overlay:create -e ENCAP NAME\n  creates overlay NAME\n  -e ENCAP  encapsulation", () -> "created");
        }

        public String show(String... args) throws Exception {
            return Commands.run(args, "usage: overlay:show [NAME]\n  properties of every overlay", () -> "shown");
        }
    }

    /** Stands for vnic:create. */
    public static final class Vnic {
        public String create(String... args) throws Exception {
            return Commands.run(args, "usage: vnic:create -l OVERLAY NAME\n  creates VNIC NAME", () -> "created");
        }
    }

    /** Stands for Gogo's felix:help, which the appliance's help leaves other commands to. */
    public static final class Felix {
        public String help(String name) {
            return "felix help of " + name;
        }

        public String lb() {
            return "bundles";
        }
    }

    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;
    private CommandSession session;
    private CommandHelp help;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Before
    public void setUp() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        add("overlay", new Overlay(), "create", "show");
        add("vnic", new Vnic(), "create");
        add("felix", new Felix(), "help", "lb");
        Map<String, Set<String>> commands = new HashMap<>();
        for (String c : new String[] {"overlay:create", "overlay:show", "vnic:create"}) {
            commands.put(c, Set.of("org.overlaygate.varpd"));
        }
        commands.put("felix:help", Set.of("org.apache.felix.gogo.command"));
        commands.put("felix:lb", Set.of("org.apache.felix.gogo.command"));
        commands.put("overlaygate:help", Set.of("org.overlaygate.overlay.admin"));
        help = new CommandHelp(CommandPolicyTest.catalog(commands));
        add("overlaygate", help, "help", "default");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), new PrintStream(out), new PrintStream(out));
    }

    private void add(String scope, Object target, String... functions) {
        for (String f : functions) {
            processor.addCommand(scope, target, f);
        }
    }

    @After
    public void tearDown() {
        session.close();
        threadIO.stop();
    }

    @Test
    public void helpListsOurCommandsAndShowsAScopeOrACommandAsItsDashH() throws Exception {
        String all = help.help(session);
        assertTrue(all, all.contains("  overlay:create  creates overlay NAME\n"));
        assertTrue(all, all.contains("  vnic:create     creates VNIC NAME\n"));
        assertFalse("not itself, not Gogo's: " + all, all.contains("overlaygate:help") || all.contains("felix:lb "));
        assertTrue(all, all.contains("felix:help lists the shell's other commands"));

        assertEquals("usage: overlay:create -e ENCAP NAME\n  creates overlay NAME\n  -e ENCAP  encapsulation\n"
                + "usage: overlay:show [NAME]\n  properties of every overlay\n", help.help(session, "overlay"));
        assertEquals(help.help(session, "overlay"), help.help(session, "overlay:"));
        String create = help.help(session, "overlay:create");
        assertEquals("usage: overlay:create -e ENCAP NAME\n  creates overlay NAME\n  -e ENCAP  encapsulation\n", create);
        assertFalse(create.contains("parameters"));
        assertEquals("a bare name that is one command", help.help(session, "overlay:show"), help.help(session, "show"));
        assertEquals("Gogo's commands keep Gogo's help", "felix help of lb", help.help(session, "lb"));
    }

    @Test
    public void whatIsNotFoundIsNamedWithTheNearestCommand() {
        assertEquals("command not found: overlay:creat (did you mean overlay:create?); help lists the appliance's commands",
                assertThrows(CommandException.class, () -> help.help(session, "overlay:creat")).getMessage());
        assertEquals("command not found: nothing-like-it; help lists the appliance's commands",
                assertThrows(CommandException.class, () -> help.help(session, "nothing-like-it")).getMessage());
    }

    @Test
    public void thePromptsUnknownCommandIsOneLineWithASuggestionNotAJavaException() throws Exception {
        Exception e = assertThrows(Exception.class, () -> session.execute("overlay:creat -e vxlan x"));
        assertEquals("command not found: overlay:creat (did you mean overlay:create?); help lists the appliance's commands", e.toString());
        assertEquals("created", session.execute("overlay:create -e vxlan x"));
    }
}
