package org.overlaygate.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.overlaygate.api.shell.CommandException;
import org.overlaygate.api.shell.Suggestions;

/**
 * {@code help} for the appliance's own commands, at the prompt and through {@code overlayadm}:
 * {@code help} lists them with what each does, {@code help overlay} one scope's with their usage,
 * {@code help overlay:create} (or {@code help create}) what {@code overlay:create -h} prints. The
 * text is each command's own {@code -h} (every command of ours answers it and runs nothing), so
 * there is one help text per command. Gogo's own help, which describes Java parameters, stays as
 * {@code felix:help}.
 *
 * <p>Also Gogo's {@code default} command, which the prompt calls for a name no command has: it
 * says what was not found and the nearest command, instead of Gogo's
 * {@code CommandNotFoundException} with its class name.
 */
@Component(service = CommandHelp.class, property = {"osgi.command.scope=" + CommandHelp.SCOPE,
    "osgi.command.function=help", "osgi.command.function=default"})
public final class CommandHelp {
    static final String SCOPE = "overlaygate";

    private CommandPolicy.Catalog catalog;

    public CommandHelp() {
    }

    CommandHelp(CommandPolicy.Catalog catalog) {
        this.catalog = catalog;
    }

    @Activate
    void activate(BundleContext context) {
        catalog = new AdminSocketServer.FrameworkCatalog(context);
    }

    /** {@code help [SCOPE | COMMAND]}. */
    public String help(CommandSession session, String... args) throws Exception {
        if (args.length > 1) {
            throw new CommandException("usage: help [SCOPE | COMMAND]");
        }
        Map<String, Set<String>> commands = own();
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            return overview(session, commands);
        }
        String word = args[0].toLowerCase(Locale.ROOT);
        if (word.indexOf(':') < 0 || word.endsWith(":")) {
            String prefix = word.endsWith(":") ? word : word + ":";
            List<String> scope = commands.keySet().stream().filter(c -> c.startsWith(prefix)).toList();
            if (!scope.isEmpty()) {
                StringBuilder out = new StringBuilder();
                for (String c : scope) {
                    out.append(helpText(session, c));
                }
                return out.toString();
            }
            if (word.endsWith(":")) {
                throw notFound(args[0], commands);
            }
        }
        String command = resolve(word, commands);
        if (command == null) {
            Function felixHelp = session.get("felix:help") instanceof Function f ? f : null;
            boolean known = catalog.commands().containsKey(word) || catalog.commands().keySet().stream().anyMatch(c -> c.endsWith(":" + word));
            if (known && felixHelp != null) {
                Object text = felixHelp.execute(session, new ArrayList<>(List.of(args[0])));
                return text == null ? null : text.toString();
            }
            throw notFound(args[0], commands);
        }
        return helpText(session, command);
    }

    /** The prompt's handler of names no command has: Gogo calls it with the name first. */
    public Object _default(CommandSession session, Object... words) {
        String name = words.length == 0 ? "" : String.valueOf(words[0]);
        throw notFound(name, catalog.commands());
    }

    private static CommandException notFound(String name, Map<String, Set<String>> commands) {
        return new CommandException("command not found: " + name + Suggestions.didYouMean(name, commands.keySet())
                + "; help lists the appliance's commands");
    }

    /** The appliance's own commands (those its bundles registered), by full name. */
    private Map<String, Set<String>> own() {
        Map<String, Set<String>> out = new TreeMap<>();
        catalog.commands().forEach((name, owners) -> {
            if (CommandPolicy.isOwn(owners) && !name.startsWith(SCOPE + ":")) {
                out.put(name, owners);
            }
        });
        return out;
    }

    /** The full name of an own command, given with or without its scope; null when none or several. */
    private static String resolve(String word, Map<String, Set<String>> commands) {
        if (commands.containsKey(word)) {
            return word;
        }
        List<String> matches = commands.keySet().stream().filter(c -> c.endsWith(":" + word)).toList();
        return matches.size() == 1 ? matches.get(0) : null;
    }

    private String overview(CommandSession session, Map<String, Set<String>> commands) throws Exception {
        List<String[]> rows = new ArrayList<>();
        int width = 0;
        for (String c : commands.keySet()) {
            String[] lines = helpText(session, c).split("\n");
            String what = lines.length > 1 ? lines[1].strip() : "";
            rows.add(new String[] {c, what});
            width = Math.max(width, c.length());
        }
        StringBuilder out = new StringBuilder("The appliance's commands (help SCOPE: a scope's, with usage; help COMMAND or COMMAND -h: its options)\n");
        for (String[] r : rows) {
            out.append(String.format("  %-" + width + "s  %s%n", r[0], r[1]));
        }
        return out.append("felix:help lists the shell's other commands (felix:lb, scr:list ...)\n").toString();
    }

    /** What {@code COMMAND -h} prints. */
    private static String helpText(CommandSession session, String command) throws Exception {
        if (!(session.get(command) instanceof Function f)) {
            return "usage: " + command + " (unregistered meanwhile)\n";
        }
        Object text = f.execute(session, new ArrayList<>(List.of("-h")));
        String s = text == null ? "" : text.toString();
        return s.endsWith("\n") ? s : s + "\n";
    }
}
