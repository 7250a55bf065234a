package org.overlaygate.itests;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.overlaygate.testsupport.Netns;

/**
 * The soak (issue 17): the central promise, that the core keeps forwarding what it knows while
 * varpd, its plugins and the katar server are replaced and restarted, held under load for as long
 * as asked. {@link SoakNetwork} builds three appliances and a katar server in network namespaces,
 * {@link SoakTraffic} loads every overlay, {@link SoakDisturbances} replaces and restarts things at
 * random and moves a VM, {@link SoakMonitor} watches, and {@link SoakReport} prints the figures and
 * says which checks failed.
 *
 * <p>Run by {@code benchmarks/soak.sh [--minutes N] [--seed S]} (30 minutes by default; exit 0 when
 * every check passed, 1 when one failed, 2 when it cannot run here), and for 2 minutes by
 * {@link SoakIT} in CI.
 */
public final class Soak {
    /** The last disturbance begins this long before the traffic ends, so the traffic sees it settle. */
    private static final long QUIET_END_MS = 15_000;
    /** The last move of the roaming VM begins this long before the traffic ends. */
    private static final long QUIET_END_MOVES_MS = 30_000;

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        double minutes = 30;
        long seed = System.nanoTime();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--minutes") && i + 1 < args.length) {
                minutes = Double.parseDouble(args[++i]);
            } else if (args[i].equals("--seed") && i + 1 < args.length) {
                seed = Long.parseLong(args[++i]);
            } else {
                System.err.println("usage: soak.sh [--minutes N] [--seed S]");
                System.exit(2);
            }
        }
        String why = Netns.unavailableReason();
        for (String tool : List.of("ping", "arping", "iperf3", "jcmd")) {
            if (why == null && Netns.findExecutable(tool) == null) {
                why = "needs '" + tool + "' on PATH";
            }
        }
        if (why != null) {
            System.err.println("soak: " + why);
            System.exit(2);
        }
        SoakReport report = run(minutes, seed, System.out);
        report.print(System.out);
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }

    /** Runs the soak for {@code minutes} of traffic, printing progress to {@code log}; the report says what failed. */
    static SoakReport run(double minutes, long seed, PrintStream log) throws Exception {
        log.printf("soak: %.1f minutes, seed %d (--seed %d repeats the same choices)%n", minutes, seed, seed);
        Random random = new Random(seed);
        try (SoakNetwork net = SoakNetwork.create(log)) {
            SoakTraffic traffic = new SoakTraffic(net);
            traffic.warmUp();
            Map<String, SoakMonitor.Jvm> jvmStart = jvms(net);
            long start = System.currentTimeMillis();
            long end = start + Math.round(minutes * 60_000);
            SoakDisturbances disturbances = new SoakDisturbances(net, random, log, start);
            SoakMonitor monitor = new SoakMonitor(net, disturbances);
            SoakMonitor.Counters before = monitor.counters();
            traffic.start(end);
            List<String> died = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            threads.add(spawn("soak-disturbances", () -> disturbances.disturbUntil(end - QUIET_END_MS), traffic, died, log));
            threads.add(spawn("soak-moves", () -> disturbances.moveUntil(end - QUIET_END_MOVES_MS), traffic, died, log));
            Thread sampler = spawn("soak-monitor", monitor::sample, traffic, died, log);
            for (Thread t : threads) {
                t.join();
            }
            traffic.join();
            monitor.stop();
            sampler.join();
            SoakMonitor.Counters after = monitor.counters();
            Map<String, SoakMonitor.Jvm> jvmEnd = jvms(net);
            return new SoakReport(seed, start, System.currentTimeMillis(), traffic, disturbances, monitor, before, after, jvmStart, jvmEnd,
                    died);
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    /** A thread of the soak; if it dies, the traffic stops early and the report fails, saying why. */
    private static Thread spawn(String name, Body body, SoakTraffic traffic, List<String> died, PrintStream log) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception | Error e) {
                died.add(name + ": " + e);
                log.println(name + " failed: " + e);
                e.printStackTrace(log);
                traffic.stop();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Map<String, SoakMonitor.Jvm> jvms(SoakNetwork net) throws Exception {
        Map<String, SoakMonitor.Jvm> out = new LinkedHashMap<>();
        for (int i = 0; i < SoakNetwork.APPLIANCES; i++) {
            out.put("host " + i, SoakMonitor.jvm(SoakNetwork.pid(net.appliances.get(i))));
        }
        out.put("katar server", SoakMonitor.jvm(SoakNetwork.pid(net.katar)));
        return out;
    }
}
