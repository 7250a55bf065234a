package org.overlaygate.api.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class CommandsTest {

    @Test
    public void helpRunsNothing() throws Exception {
        assertEquals("usage: x:y\n", Commands.run(new Object[] {"a", "-h"}, "usage: x:y", () -> {
            throw new AssertionError("ran");
        }));
        assertEquals("usage: x:y\n", Commands.run(new Object[] {"--help"}, "usage: x:y\n", () -> "ran"));
        assertEquals("ran", Commands.run(new Object[] {"-hx"}, "usage: x:y", () -> "ran"));
    }

    @Test
    public void operatorErrorsShowTheirMessageAloneAndBugsTheirClass() {
        IllegalStateException cause = new IllegalStateException("the data path (overlay-core) is not running");
        CommandException e = assertThrows(CommandException.class, () -> Commands.run(new Object[0], "u", () -> {
            throw cause;
        }));
        assertEquals("the data path (overlay-core) is not running", e.toString());
        assertSame(cause, e.getCause());
        assertEquals("missing NAME (usage: x:y NAME)", Args.parse(new Object[0], java.util.Set.of(), java.util.Set.of(), "x:y NAME")
                .error("missing NAME").toString());
        NullPointerException bug = new NullPointerException("oops");
        assertSame(bug, assertThrows(NullPointerException.class, () -> Commands.run(new Object[0], "u", () -> {
            throw bug;
        })));
    }
}
