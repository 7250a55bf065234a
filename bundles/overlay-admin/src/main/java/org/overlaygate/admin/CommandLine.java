package org.overlaygate.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command line of an admin request, split into literal words. This is all the syntax the
 * admin socket knows, and none of it is Gogo's: words are separated by spaces or tabs; {@code '...'}
 * is literal; in {@code "..."} and outside quotes a backslash takes the next character literally.
 * Outside quotes the characters Gogo would evaluate ({@code $ ( ) { } [ ] | ; & < > `}) and line
 * breaks are refused, so that an operator who types a pipe or a variable is told it does not
 * work here instead of seeing it passed on as text. The first word is the command, {@code scope:name}
 * or a bare {@code name}.
 */
public final class CommandLine {
    /** A command name as Gogo registers them: {@code overlay:create}, {@code katar:host-add}, {@code lb}. */
    static final Pattern COMMAND = Pattern.compile("([A-Za-z0-9_.-]+:)?[A-Za-z0-9_.-]+");
    private static final String SPECIAL = "$(){}[]|;&<>`";

    private final String command;
    private final List<String> arguments;

    private CommandLine(String command, List<String> arguments) {
        this.command = command;
        this.arguments = List.copyOf(arguments);
    }

    public String command() {
        return command;
    }

    public List<String> arguments() {
        return arguments;
    }

    /**
     * Splits a request into words.
     *
     * @throws IllegalArgumentException with a one-line reason: unbalanced quotes, a character that
     *     would be an expression in Gogo, an empty line or a malformed command name
     */
    public static CommandLine parse(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                i++;
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unbalanced ' in the command line");
                }
                word.append(line, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, word);
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("the command line ends in a lone \\");
                }
                word.append(line.charAt(i + 1));
                i += 2;
            } else if (SPECIAL.indexOf(c) >= 0 || c == '\n' || c == '\r') {
                throw new IllegalArgumentException("'" + printable(c) + "' outside quotes: overlayadm runs one command with literal"
                        + " arguments (no variables, expressions, closures, pipes or redirections); quote the argument if it is text");
            } else {
                word.append(c);
                i++;
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty command line");
        }
        String command = words.get(0);
        if (!COMMAND.matcher(command).matches()) {
            throw new IllegalArgumentException("'" + LogText.escape(command) + "' is not a command name (expected scope:name, e.g. overlay:show)");
        }
        return new CommandLine(command, words.subList(1, words.size()));
    }

    /** Appends the inside of a double-quoted string starting at {@code i}; returns the index after the closing quote. */
    private static int doubleQuoted(String line, int i, StringBuilder word) {
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n) {
                word.append(line.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("unbalanced \" in the command line");
    }

    private static String printable(char c) {
        return c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.valueOf(c);
    }
}
