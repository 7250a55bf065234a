package org.overlaygate.api.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.Test;

public class ArgsTest {
    private static final Set<String> VALUES = Set.of("-e", "-p", "-v");
    private static final Set<String> FLAGS = Set.of("-f");

    @Test
    public void parsesRepeatedOptionsFlagsAndOperands() {
        Args a = Args.parse(new Object[] {"-e", "vxlan", "-p", "a/b=1", "-p", "c/d=2", "-f", "-v", 4242L, "ovl0"}, VALUES, FLAGS, "x");
        assertEquals("vxlan", a.value("-e"));
        assertEquals(List.of("a/b=1", "c/d=2"), a.all("-p"));
        assertEquals("4242", a.value("-v"));
        assertTrue(a.flag("-f"));
        assertEquals("ovl0", a.operand("NAME"));
    }

    @Test
    public void errorsAreOneLineWithUsage() {
        assertEquals("unknown option -q (usage: x NAME)",
                assertThrows(IllegalArgumentException.class, () -> Args.parse(new Object[] {"-q"}, VALUES, FLAGS, "x NAME")).getMessage());
        assertEquals("option -e needs a value (usage: u)",
                assertThrows(IllegalArgumentException.class, () -> Args.parse(new Object[] {"-e"}, VALUES, FLAGS, "u")).getMessage());
        Args twice = Args.parse(new Object[] {"-e", "a", "-e", "b"}, VALUES, FLAGS, "u");
        assertThrows(IllegalArgumentException.class, () -> twice.value("-e"));
        Args none = Args.parse(new Object[] {}, VALUES, FLAGS, "u");
        assertEquals("missing NAME (usage: u)", assertThrows(IllegalArgumentException.class, () -> none.operand("NAME")).getMessage());
        assertEquals("missing -e encapsulation (usage: u)",
                assertThrows(IllegalArgumentException.class, () -> none.required("-e", "encapsulation")).getMessage());
    }

    @Test
    public void operandCountsAreChecked() {
        Args a = Args.parse(new Object[] {"x", "y"}, VALUES, FLAGS, "u A B");
        assertEquals(List.of("x", "y"), a.operands(2, 2));
        assertEquals("expected 3 operands, got 2 (usage: u A B)", assertThrows(IllegalArgumentException.class, () -> a.operands(3, 3)).getMessage());
        assertEquals("expected 0 to 1 operand, got 2 (usage: u A B)", assertThrows(IllegalArgumentException.class, () -> a.operands(0, 1)).getMessage());
    }

    @Test
    public void negativeNumbersAreOperands() {
        assertEquals("-1", Args.parse(new Object[] {"-1"}, VALUES, FLAGS, "u").operand("N"));
    }
}
