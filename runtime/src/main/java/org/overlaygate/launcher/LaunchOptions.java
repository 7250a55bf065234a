package org.overlaygate.launcher;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Command-line options of {@code bin/overlaygate}. */
final class LaunchOptions {
    /**
     * What {@code overlaygate --help} prints; the package's overlaygate(8) manual page is made from
     * this text ({@link ManPage}), so the two cannot disagree.
     */
    static final String USAGE = "usage: overlaygate [--daemon] [--data DIR] [--profile NAME]\n"
            + "       overlaygate stop\n"
            + "Starts the Overlay Gate appliance. It joins VMs and containers on many hosts into isolated\n"
            + "layer-2 overlay networks carried over an IP underlay (VXLAN, NVGRE, Geneve). On a terminal it\n"
            + "gives the prompt overlaygate> once ready (exit 0 stops it); without one it runs headless in the\n"
            + "foreground (for systemd). Either way it writes run/overlaygate.pid, listens for overlayadm on\n"
            + "run/overlayadm.sock and stops cleanly on SIGTERM. \"overlaygate stop\" stops a running one.\n"
            + "\n"
            + "Options:\n"
            + "  --daemon        run headless in the background; returns once the appliance is ready\n"
            + "  --data DIR      keep configuration and state in DIR instead of data/ under the distribution\n"
            + "  --profile NAME  apply etc/profiles/NAME.properties on top of etc/config.properties\n"
            + "                  (--profile katar runs the katar mapping server alone)\n"
            + "  -h, --help      print this help\n"
            + "\n"
            + "Environment:\n"
            + "  OVERLAYGATE_HEAP  the most Java heap (default 512m)\n"
            + "  OVERLAYGATE_LOG   journal: log to standard output (the systemd unit sets it) instead of\n"
            + "                    log/overlaygate.log\n"
            + "  JAVA_HOME         the Java 17 to run\n"
            + "  JAVA_OPTS         more JVM options (-Doverlaygate.http.port=8470, ...)\n"
            + "\n"
            + "Files:\n"
            + "Under the distribution (the Debian package links etc, data, log and run to /etc/overlaygate,\n"
            + "/var/lib/overlaygate, /var/log/overlaygate and /run/overlaygate):\n"
            + "  etc/config.properties  settings (HTTP address and port, katar server, data path)\n"
            + "  data/                  overlays, VNICs, katar's database, the console password\n"
            + "  log/overlaygate.log    the log, rotated by size\n"
            + "  run/overlayadm.sock    the admin socket (owner-only)\n"
            + "  plugins.d/             plugin jars, installed, updated and removed while running\n"
            + "\n"
            + "Exit status:\n"
            + "  0  stopped cleanly\n"
            + "  1  failed to start (the reason on standard error)\n"
            + "  2  bad options\n";

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
