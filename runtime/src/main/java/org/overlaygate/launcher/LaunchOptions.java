package org.overlaygate.launcher;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Command-line options of {@code bin/overlaygate}. */
final class LaunchOptions {
    static final String USAGE = "usage: overlaygate [--daemon] [--data DIR] [--profile NAME]\n"
            + "       overlaygate stop\n"
            + "  starts the Overlay Gate appliance: on a terminal with its prompt (overlaygate>), else headless\n"
            + "  --daemon        run headless (bin/overlaygate then puts it in the background)\n"
            + "  --data DIR      keep configuration and state in DIR instead of data/ under the distribution\n"
            + "  --profile NAME  apply etc/profiles/NAME.properties on top of etc/config.properties\n"
            + "  -h, --help      print this and exit\n"
            + "  stop            stop the appliance this distribution runs (SIGTERM to the pid in run/overlaygate.pid)\n";

    final boolean help;
    final boolean daemon;
    final Path data;
    final String profile;

    private LaunchOptions(boolean help, boolean daemon, Path data, String profile) {
        this.help = help;
        this.daemon = daemon;
        this.data = data;
        this.profile = profile;
    }

    /** @throws IllegalArgumentException with a one-line reason */
    static LaunchOptions parse(String... args) {
        boolean help = false;
        boolean daemon = false;
        Path data = null;
        String profile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h":
                case "--help":
                    help = true;
                    break;
                case "--daemon":
                    daemon = true;
                    break;
                case "--data":
                    data = Paths.get(value(args, ++i, "--data")).toAbsolutePath().normalize();
                    break;
                case "--profile":
                    profile = value(args, ++i, "--profile");
                    if (!profile.matches("[A-Za-z0-9_-]+")) {
                        throw new IllegalArgumentException("bad profile name '" + profile + "'");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new LaunchOptions(help, daemon, data, profile);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
