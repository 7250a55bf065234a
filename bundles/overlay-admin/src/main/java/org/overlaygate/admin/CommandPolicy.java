package org.overlaygate.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.overlaygate.api.shell.Suggestions;

/**
 * Which commands the admin socket runs. The rule:
 * <ul>
 * <li>every command registered (as a Gogo command service) only by the appliance's own bundles,
 * those whose symbolic name starts with {@value #OWN_PREFIX}: {@code overlay:}, {@code vnic:},
 * {@code katar:} and whatever scope a plugin of ours adds;</li>
 * <li>a few Gogo built-ins an operator needs, with their arguments checked: {@code felix:help},
 * {@code felix:lb}, {@code felix:headers ID...}, {@code scr:list [ID]}, {@code scr:info COMPONENT},
 * and {@code felix:update|start|stop|refresh ID...} of the appliance's own bundles (never the
 * system bundle nor this admin bundle, which would lock the socket);</li>
 * <li>nothing else: no {@code felix:install}, {@code felix:ls}, {@code felix:cd}, {@code gogo:},
 * {@code scr:disable} ...; the interactive console on a terminal keeps the full shell.</li>
 * </ul>
 * A bare name ({@code lb}, {@code plugins}) is accepted when it names exactly one allowed command.
 */
final class CommandPolicy {
    static final String OWN_PREFIX = "org.overlaygate.";

    /** What the policy needs to know about the running framework. */
    interface Catalog {
        /** Every registered command service, {@code scope:function} in lower case, with the symbolic names of the bundles that registered it. */
        Map<String, Set<String>> commands();

        /** The symbolic name of bundle {@code id}, or null when there is none. */
        String bundle(long id);

        /** The id of the admin bundle itself. */
        long self();
    }

    /** A command cleared to run: its full name and literal arguments. */
    record Allowed(String name, List<String> arguments, boolean textIsError) {
    }

    private enum Ids {
        /** Arguments are free text (flags, a pattern, a component name). */
        NONE,
        /** Arguments are ids of installed bundles. */
        ANY_BUNDLE,
        /** Arguments are ids of the appliance's own bundles other than the admin bundle. */
        OWN_BUNDLE
    }

    /**
     * A built-in: how many arguments, what they are, and whether text it returns is an error
     * (felix:update and friends return their failure as text instead of throwing).
     */
    private record Builtin(int min, int max, Ids ids, boolean textIsError) {
    }

    private static final Map<String, Builtin> BUILTINS = Map.of(
            "felix:help", new Builtin(0, 1, Ids.NONE, false),
            "felix:lb", new Builtin(0, 4, Ids.NONE, false),
            "felix:headers", new Builtin(1, 64, Ids.ANY_BUNDLE, false),
            "felix:update", new Builtin(1, 1, Ids.OWN_BUNDLE, true),
            "felix:start", new Builtin(1, 64, Ids.OWN_BUNDLE, true),
            "felix:stop", new Builtin(1, 64, Ids.OWN_BUNDLE, true),
            "felix:refresh", new Builtin(1, 64, Ids.OWN_BUNDLE, true),
            "scr:list", new Builtin(0, 1, Ids.ANY_BUNDLE, false),
            "scr:info", new Builtin(1, 1, Ids.NONE, false));

    private final Catalog catalog;

    CommandPolicy(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Clears a command or refuses it.
     *
     * @throws IllegalArgumentException with the one-line reason (unknown command, not available
     *     through the socket, bad or forbidden bundle id)
     */
    Allowed check(CommandLine line) {
        Map<String, Set<String>> commands = catalog.commands();
        String name = resolve(line.command().toLowerCase(Locale.ROOT), commands);
        Set<String> owners = commands.get(name);
        if (isOwn(owners)) {
            return new Allowed(name, line.arguments(), false);
        }
        Builtin builtin = BUILTINS.get(name);
        if (builtin == null) {
            throw new IllegalArgumentException(name + " is not available through overlayadm (it runs the appliance's own commands and "
                    + String.join(", ", new TreeSet<>(BUILTINS.keySet())) + "; the console on a terminal has the full shell)");
        }
        List<String> args = line.arguments();
        if (args.size() < builtin.min() || args.size() > builtin.max()) {
            throw new IllegalArgumentException(name + " takes " + (builtin.min() == builtin.max() ? "" + builtin.min()
                    : builtin.min() + " to " + builtin.max()) + " argument" + (builtin.max() == 1 ? "" : "s")
                    + (builtin.ids() == Ids.NONE ? "" : " (bundle ids, see felix:lb)") + ", not " + args.size());
        }
        if (builtin.ids() != Ids.NONE) {
            for (String arg : args) {
                checkBundle(name, arg, builtin.ids());
            }
        }
        return new Allowed(name, args, builtin.textIsError());
    }

    /**
     * The full name of a command: as given when it has a scope, else the one allowed command of
     * that name (or, when none is allowed, the one registered, which check() then refuses).
     */
    private String resolve(String command, Map<String, Set<String>> commands) {
        if (command.indexOf(':') >= 0) {
            if (!commands.containsKey(command)) {
                throw notFound(command, commands);
            }
            return command;
        }
        List<String> matches = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : commands.entrySet()) {
            String full = e.getKey();
            if (full.endsWith(":" + command)) {
                (isOwn(e.getValue()) || BUILTINS.containsKey(full) ? matches : refused).add(full);
            }
        }
        if (matches.isEmpty() && !refused.isEmpty()) {
            matches = refused; // refused by check(), with the reason
        }
        if (matches.isEmpty()) {
            throw notFound(command, commands);
        }
        List<String> own = matches.stream().filter(m -> isOwn(commands.get(m))).toList();
        if (own.size() == 1) {
            return own.get(0); // help: the appliance's own, not felix:help
        }
        if (matches.size() > 1) {
            matches.sort(null);
            throw new IllegalArgumentException("ambiguous command " + command + ": give its scope, one of " + String.join(", ", matches));
        }
        return matches.get(0);
    }

    /** Not found, with the nearest command this socket runs (the appliance's own and the built-ins). */
    private static IllegalArgumentException notFound(String command, Map<String, Set<String>> commands) {
        List<String> allowed = new ArrayList<>(BUILTINS.keySet());
        commands.forEach((name, owners) -> {
            if (isOwn(owners)) {
                allowed.add(name);
            }
        });
        return new IllegalArgumentException("command not found: " + command + Suggestions.didYouMean(command, allowed)
                + "; help lists the appliance's commands");
    }

    static boolean isOwn(Set<String> owners) {
        return owners != null && !owners.isEmpty() && owners.stream().allMatch(b -> b != null && b.startsWith(OWN_PREFIX));
    }

    private void checkBundle(String command, String arg, Ids ids) {
        long id;
        try {
            id = Long.parseLong(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": '" + LogText.escape(arg) + "' is not a bundle id (a number, see felix:lb)");
        }
        String bsn = id < 0 ? null : catalog.bundle(id);
        if (bsn == null) {
            throw new IllegalArgumentException(command + ": no bundle " + arg);
        }
        if (ids == Ids.OWN_BUNDLE) {
            if (id == catalog.self()) {
                throw new IllegalArgumentException(command + ": bundle " + id + " (" + bsn + ") serves this admin socket;"
                        + " use the console on a terminal");
            }
            if (!bsn.startsWith(OWN_PREFIX)) {
                throw new IllegalArgumentException(command + ": bundle " + id + " (" + bsn + ") is not one of the appliance's own"
                        + " (" + OWN_PREFIX + "*); use the console on a terminal");
            }
        }
    }
}
