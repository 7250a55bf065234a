package org.overlaygate.itests;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.itests.SoakNetwork.Mode;

/**
 * What the soak does to the appliances while traffic flows: every 10 to 30 s, one of
 * {@link Kind} at random (each kind once in every four, in a shuffled order, so a short soak sees
 * them all), waiting after each until every overlay it touched is ONLINE again; and, beside it,
 * the roaming katar VM moved to another host every 20 to 40 s. Each disturbance is recorded with
 * when it began and settled, which the {@link SoakMonitor} uses to tell a lookup that had no chance
 * to be answered from one that should have been.
 */
final class SoakDisturbances {
    enum Kind {
        /** A plugin jar of plugins.d overwritten by a newer build of it (another Bundle-Version). */
        PLUGIN_REPLACED("plugin jar replaced"),
        /** varpd updated in place, as an operator would: {@code overlayadm felix:update ID}. */
        VARPD_UPDATED("varpd updated"),
        /** The katar server stopped (SIGTERM) and started again on its data. */
        KATAR_RESTARTED("katar server restarted"),
        /** A search plugin's jar taken out of plugins.d and, a few seconds later, put back. */
        SEARCH_JAR_REMOVED("search jar deleted and restored");

        final String title;

        Kind(String title) {
            this.title = title;
        }
    }

    /** One disturbance: what, where, when it began and settled (epoch ms), and how it ended. */
    static final class Disturbance {
        final Kind kind;
        /** The appliance it was done to; -1 for the katar server (all appliances' katar overlays). */
        final int appliance;
        /** The overlays it may take out of service; empty for all of the appliance's. */
        final List<String> links;
        final String detail;
        final long began;
        volatile long settled;
        volatile String failure;

        Disturbance(Kind kind, int appliance, List<String> links, String detail) {
            this.kind = kind;
            this.appliance = appliance;
            this.links = links;
            this.detail = detail;
            this.began = System.currentTimeMillis();
        }

        boolean touches(int app, String link) {
            return (appliance == app || appliance < 0) && (links.isEmpty() || links.contains(link));
        }
    }

    /** One move of the roaming VM: from, to, when it began and when its VNIC was up on the new host. */
    static final class Move {
        final int from;
        final int to;
        final long began;
        volatile long plugged;
        volatile String failure;

        Move(int from, int to) {
            this.from = from;
            this.to = to;
            this.began = System.currentTimeMillis();
        }
    }

    private static final Pattern VARPD = Pattern.compile("(?m)^\\s*(\\d+)\\s*\\|\\s*Active\\s*\\|.*org\\.overlaygate\\.varpd\\b.*$");
    private static final long SETTLE_MS = 120_000;
    private static final List<String> SEARCH_JARS = List.of("search-direct.jar", "search-multicast.jar", "search-files.jar", "search-katar.jar");

    final List<Disturbance> done = Collections.synchronizedList(new ArrayList<>());
    final List<Move> moves = Collections.synchronizedList(new ArrayList<>());
    private final SoakNetwork net;
    private final Random random;
    private final PrintStream log;
    private final long soakStart;
    private final List<Kind> bag = new ArrayList<>();
    private int builds;
    private volatile boolean stopped;

    SoakDisturbances(SoakNetwork net, Random random, PrintStream log, long soakStart) {
        this.net = net;
        this.random = random;
        this.log = log;
        this.soakStart = soakStart;
    }

    void stop() {
        stopped = true;
    }

    /** Whether the overlay {@code link} of appliance {@code app} is being disturbed now, or when it last was (epoch ms; 0: never). */
    long lastDisturbed(int app, String link) {
        long last = 0;
        synchronized (done) {
            for (Disturbance d : done) {
                if (d.touches(app, link)) {
                    last = Math.max(last, d.settled == 0 ? System.currentTimeMillis() : d.settled);
                }
            }
        }
        return last;
    }

    // ------------------------------------------------------------------------------------------
    // the two loops

    /** Disturbs until {@code lastStartMillis}: the last one begins no later, and settles before this returns. */
    void disturbUntil(long lastStartMillis) throws Exception {
        while (!stopped) {
            long pause = 10_000 + random.nextInt(20_001);
            if (System.currentTimeMillis() + pause > lastStartMillis) {
                return;
            }
            Thread.sleep(pause);
            if (bag.isEmpty()) {
                bag.addAll(List.of(Kind.values()));
                Collections.shuffle(bag, random);
            }
            Disturbance d = disturb(bag.remove(0));
            log.printf(Locale.ROOT, "soak: +%.0f s %s (%s): %s%n", (d.began - soakStart) / 1000.0, d.kind.title, d.detail,
                    d.failure == null ? "settled in " + String.format(Locale.ROOT, "%.1f s", (d.settled - d.began) / 1000.0) : "FAILED: " + d.failure);
        }
    }

    /** Moves the roaming VM to another host, at random, every 20 to 40 s, until {@code lastStartMillis}. */
    void moveUntil(long lastStartMillis) throws Exception {
        while (!stopped) {
            long pause = 20_000 + random.nextInt(20_001);
            if (System.currentTimeMillis() + pause > lastStartMillis) {
                return;
            }
            Thread.sleep(pause);
            int from = net.roamingHost();
            int to = (from + 1 + random.nextInt(SoakNetwork.APPLIANCES - 1)) % SoakNetwork.APPLIANCES;
            Move m = new Move(from, to);
            moves.add(m);
            try {
                net.moveRoamingVm(to);
                m.plugged = System.currentTimeMillis();
            } catch (Exception | AssertionError e) {
                m.failure = String.valueOf(e.getMessage());
            }
            log.printf(Locale.ROOT, "soak: +%.0f s roaming VM moved from host %d to host %d%s%n", (m.began - soakStart) / 1000.0, from, to,
                    m.failure == null ? String.format(Locale.ROOT, " in %.1f s", (m.plugged - m.began) / 1000.0) : ": FAILED: " + m.failure);
        }
    }

    // ------------------------------------------------------------------------------------------
    // the disturbances

    private Disturbance disturb(Kind kind) {
        Disturbance d;
        try {
            switch (kind) {
                case PLUGIN_REPLACED:
                    d = replacePlugin();
                    break;
                case VARPD_UPDATED:
                    d = updateVarpd();
                    break;
                case KATAR_RESTARTED:
                    d = restartKatar();
                    break;
                default:
                    d = removeSearchJar();
            }
        } catch (Exception | AssertionError e) {
            d = new Disturbance(kind, -1, List.of("none"), "not done");
            d.failure = String.valueOf(e);
            d.settled = System.currentTimeMillis();
            done.add(d);
        }
        return d;
    }

    private Disturbance begin(Kind kind, int appliance, List<String> links, String detail) {
        Disturbance d = new Disturbance(kind, appliance, links, detail);
        done.add(d);
        return d;
    }

    private void settle(Disturbance d, boolean ok, String unless) {
        d.settled = System.currentTimeMillis();
        if (!ok) {
            d.failure = unless;
        }
    }

    private Disturbance replacePlugin() throws Exception {
        int app = random.nextInt(SoakNetwork.APPLIANCES);
        List<Path> jars = new ArrayList<>();
        try (var list = Files.list(net.pristinePlugins)) {
            list.sorted().forEach(jars::add);
        }
        Path original = jars.get(random.nextInt(jars.size()));
        String version = String.format(Locale.ROOT, "0.1.0.soak%04d", ++builds);
        Path newer = PluginJars.withVersion(original, version, net.work);
        String name = original.getFileName().toString();
        Disturbance d = begin(Kind.PLUGIN_REPLACED, app, List.of(), name + " " + version + " on host " + app);
        try {
            PluginJars.drop(newer, net.appliances.get(app).home.resolve("plugins.d"), name);
        } finally {
            Files.delete(newer);
        }
        boolean loaded = awaitPluginVersion(app, version);
        settle(d, loaded && net.awaitOnline(app, SETTLE_MS), loaded ? "overlays not ONLINE again within " + SETTLE_MS + " ms: "
                + net.statuses(app) : "overlay:plugins does not list version " + version + " within " + SETTLE_MS + " ms");
        return d;
    }

    private boolean awaitPluginVersion(int app, String version) throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MS;
        do {
            Distribution.Result r = net.appliances.get(app).call("overlay:plugins");
            if (r.status == 0 && r.out.lines().anyMatch(l -> l.contains(" " + version + " ") && l.trim().endsWith("ACTIVE"))) {
                return true;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        return false;
    }

    private Disturbance updateVarpd() throws Exception {
        int app = random.nextInt(SoakNetwork.APPLIANCES);
        Distribution a = net.appliances.get(app);
        Matcher m = VARPD.matcher(SoakNetwork.must(a, "felix:lb", "-s"));
        if (!m.find()) {
            throw new AssertionError("felix:lb -s on host " + app + " lists no active varpd");
        }
        Disturbance d = begin(Kind.VARPD_UPDATED, app, List.of(), "bundle " + m.group(1) + " on host " + app);
        SoakNetwork.must(a, "felix:update", m.group(1));
        settle(d, net.awaitOnline(app, SETTLE_MS), "overlays not ONLINE again within " + SETTLE_MS + " ms: " + net.statuses(app));
        return d;
    }

    private Disturbance restartKatar() throws Exception {
        Disturbance d = begin(Kind.KATAR_RESTARTED, -1, List.of(Mode.KATAR.link), "SIGTERM, then started again");
        net.restartKatar();
        boolean ok = true;
        for (int i = 0; i < SoakNetwork.APPLIANCES; i++) {
            ok &= net.awaitOnline(i, List.of(Mode.KATAR.link), SETTLE_MS);
        }
        settle(d, ok, "katar overlays not ONLINE again within " + SETTLE_MS + " ms");
        return d;
    }

    private Disturbance removeSearchJar() throws Exception {
        String jar = SEARCH_JARS.get(random.nextInt(SEARCH_JARS.size()));
        Mode mode = Mode.valueOf(jar.substring("search-".length(), jar.length() - 4).toUpperCase(Locale.ROOT));
        int app = random.nextInt(mode.hosts); // an appliance that has an overlay of this mode
        Path plugins = net.appliances.get(app).home.resolve("plugins.d");
        Path aside = net.work.resolve(jar + ".aside-" + app);
        long held = 1000 + random.nextInt(4001);
        Disturbance d = begin(Kind.SEARCH_JAR_REMOVED, app, List.of(mode.link), jar + " on host " + app + ", out for " + held + " ms");
        Files.move(plugins.resolve(jar), aside, StandardCopyOption.REPLACE_EXISTING);
        boolean degraded = awaitStatus(app, mode.link, "DEGRADED");
        Thread.sleep(held);
        Path part = plugins.resolve("." + jar + ".part"); // back atomically, as PluginJars.drop does
        Files.move(aside, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, plugins.resolve(jar), StandardCopyOption.ATOMIC_MOVE);
        settle(d, degraded && net.awaitOnline(app, SETTLE_MS), degraded ? "overlays not ONLINE again within " + SETTLE_MS + " ms: "
                + net.statuses(app) : mode.link + " never DEGRADED without " + jar);
        return d;
    }

    private boolean awaitStatus(int app, String link, String status) throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MS;
        do {
            java.util.Map<String, String> s = net.statuses(app);
            if (s != null && status.equals(s.get(link))) {
                return true;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        return false;
    }
}
