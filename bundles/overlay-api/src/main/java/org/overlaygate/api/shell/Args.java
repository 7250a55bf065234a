package org.overlaygate.api.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of Overlay Gate's shell commands, in the dladm style: {@code -x VALUE} options (repeatable when declared so),
 * {@code -f} flags, and positional operands. Gogo's own option binding keeps only the last of a
 * repeated option, and {@code overlay:create} takes {@code -p} many times, hence this small parser.
 * Errors are one-line {@link IllegalArgumentException}s that end with the usage.
 */
public final class Args {
    private final Map<String, List<String>> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> operands = new ArrayList<>();
    private final String usage;

    private Args(String usage) {
        this.usage = usage;
    }

    /**
     * Parses {@code args}.
     *
     * @param withValue options that take a value, such as {@code -e}
     * @param flagNames options without a value, such as {@code -f}
     */
    public static Args parse(Object[] args, Set<String> withValue, Set<String> flagNames, String usage) {
        Args a = new Args(usage);
        for (int i = 0; i < args.length; i++) {
            String arg = String.valueOf(args[i]);
            if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) {
                if (withValue.contains(arg)) {
                    if (i + 1 >= args.length) {
                        throw a.error("option " + arg + " needs a value");
                    }
                    a.values.computeIfAbsent(arg, k -> new ArrayList<>()).add(String.valueOf(args[++i]));
                } else if (flagNames.contains(arg)) {
                    a.flags.add(arg);
                } else {
                    throw a.error("unknown option " + arg);
                }
            } else {
                a.operands.add(arg);
            }
        }
        return a;
    }

    private static boolean isNumber(String s) {
        return s.matches("-\\d+");
    }

    /** A one-line error that ends with the usage; the prompt shows it without a class name ({@link CommandException}). */
    public IllegalArgumentException error(String message) {
        return new CommandException(message + " (usage: " + usage + ")");
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    /** The option's value, or {@code null}; refuses an option given twice. */
    public String value(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw error("option " + name + " given more than once");
        }
        return v.get(0);
    }

    /** The option's value, which must be present. */
    public String required(String name, String what) {
        String v = value(name);
        if (v == null || v.isBlank()) {
            throw error("missing " + name + " " + what);
        }
        return v;
    }

    /** Every value of a repeatable option, in order. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public List<String> operands() {
        return operands;
    }

    /** The single operand, which must be present. */
    public String operand(String what) {
        if (operands.size() != 1) {
            throw error(operands.isEmpty() ? "missing " + what : "expected one " + what + ", got " + operands);
        }
        return operands.get(0);
    }

    /** The operands, which must number from {@code min} to {@code max}. */
    public List<String> operands(int min, int max) {
        if (operands.size() < min || operands.size() > max) {
            throw error("expected " + (min == max ? Integer.toString(min) : min + " to " + max) + " operand" + (max == 1 ? "" : "s")
                    + ", got " + operands.size());
        }
        return operands;
    }

    /** The optional single operand. */
    public String optionalOperand(String what) {
        if (operands.size() > 1) {
            throw error("expected at most one " + what + ", got " + operands);
        }
        return operands.isEmpty() ? null : operands.get(0);
    }
}
