package org.overlaygate.api.shell;

import java.util.concurrent.Callable;

/**
 * What every Overlay Gate command does around its own work, the same at the prompt and through
 * {@code bin/overlayadm}: {@code -h} (or {@code --help}) anywhere among its words prints its help
 * and runs nothing; an operator's error ({@link IllegalArgumentException},
 * {@link IllegalStateException}) becomes a {@link CommandException}, which the prompt prints as
 * its message alone. Anything else (a bug) passes unchanged, with its class name.
 */
public final class Commands {
    private Commands() {
    }

    /** Whether the words ask for help: {@code -h} or {@code --help} as a word of its own. */
    public static boolean wantsHelp(Object[] words) {
        for (Object w : words) {
            String s = String.valueOf(w);
            if (s.equals("-h") || s.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a command's body.
     *
     * @param words the command's arguments
     * @param help the usage line and what each option does; printed for {@code -h}, with a newline added when missing
     * @param body the command's work, returning its output
     */
    public static String run(Object[] words, String help, Callable<String> body) throws Exception {
        if (wantsHelp(words)) {
            return help.endsWith("\n") ? help : help + "\n";
        }
        try {
            return body.call();
        } catch (CommandException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw operatorError(e);
        }
    }

    /** The operator's error {@code e} as a {@link CommandException}: its message on one line, the original as cause. */
    public static CommandException operatorError(RuntimeException e) {
        if (e instanceof CommandException) {
            return (CommandException) e;
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new CommandException(msg, e);
    }
}
