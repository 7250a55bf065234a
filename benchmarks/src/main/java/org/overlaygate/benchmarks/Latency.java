package org.overlaygate.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * Round-trip latency between two VMs on two hosts, side by side in one run, through
 * <ol>
 * <li>the Linux kernel's VXLAN (the baseline; the topology of {@link Throughput}'s kernel path);</li>
 * <li>a plain C TAP/UDP forwarder ({@code benchmarks/forwarder.c}: one blocking thread a direction,
 * no batching, no offloads), in two host namespaces joined by a veth pair, each with its TAP moved
 * into a VM namespace: what any user-space data path pays here;</li>
 * <li>the appliance in the same topology ({@link Throughput}'s "two hosts", VXLAN), with its default
 * offloads and with {@code offloads=none}, and any variants asked for (other JVM options, another
 * build);</li>
 * <li>with {@code --loopback}, the appliance as one process (in a host namespace of its own) with two
 * overlays over loopback, a TAP VNIC in each VM namespace ({@link Throughput}'s "loopback"
 * topology).</li>
 * </ol>
 * Three loads on each: <b>sparse</b> (ping every 2 ms), <b>back to back</b> (sockperf ping-pong of
 * 64-byte messages, UDP and TCP: half the round trip, as sockperf reports it) and <b>under load</b>
 * (ping every 10 ms while an iperf3 TCP stream runs the same way). Each figure is avg / p50 / p99 /
 * max in microseconds with its ratio to the kernel's of the same round; the load average is printed
 * with each path (the figures are only comparable on a quiet machine), and {@code --rounds N} repeats
 * the whole set, then shows each figure's range over the rounds: that spread is the noise. Each path
 * is warmed up first (a 2-second TCP stream and 3,000 pings), so that the figures are a running
 * appliance's, its code compiled, not those of its first seconds.
 */
public final class Latency {
    private static final String USAGE = "usage: latency.sh [--seconds N] [--rounds N] [--only kernel,forwarder,default,none,loopback]"
            + " [--loopback] [--variant LABEL[@DIST]=JAVA_OPTS]...";
    private static final int PORT = 4789;
    private static final int VNI = 4242;

    private final int seconds;
    private final Path dist;
    private final Path forwarder;

    /** A path to measure: its label, and how to build its two VMs. */
    private record PathSpec(String label, Topology topology) {
    }

    @FunctionalInterface
    private interface Topology {
        /** Builds the path, runs {@code body} with VM namespaces a and b (b at {@link #VM_B}), tears it down. */
        Figures run(Measure body) throws Exception;
    }

    @FunctionalInterface
    private interface Measure {
        Figures apply(Netns a, Netns b, List<Long> pids) throws Exception;
    }

    private static final String VM_A = "192.168.204.1";
    private static final String VM_B = "192.168.204.2";

    /** avg / p50 / p99 / max in microseconds, and how many samples (lost ones not included). */
    record Stats(double avg, double p50, double p99, double max, int samples, int lost) {

        static Stats of(List<Double> micros, int lost) {
            if (micros.isEmpty()) {
                return new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, lost);
            }
            double[] v = micros.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double sum = 0;
            for (double x : v) {
                sum += x;
            }
            return new Stats(sum / v.length, percentile(v, 50), percentile(v, 99), v[v.length - 1], v.length, lost);
        }

        private static double percentile(double[] sorted, double p) {
            int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        double get(int k) {
            return switch (k) {
                case 0 -> avg;
                case 1 -> p50;
                case 2 -> p99;
                default -> max;
            };
        }
    }

    /** One path's figures in one round. CPU: seconds of the data path's processes per second of the sparse and ping-pong runs. */
    record Figures(Stats sparse, Stats udp, Stats tcp, Stats loaded, double loadedMbits, double sparseCpu, double pingPongCpu,
            String loadBefore) {
        Stats get(int load) {
            return switch (load) {
                case 0 -> sparse;
                case 1 -> udp;
                case 2 -> tcp;
                default -> loaded;
            };
        }
    }

    private static final String[] LOADS = {"sparse (ping 2 ms) RTT", "back to back UDP half-RTT", "back to back TCP half-RTT",
        "under TCP load (ping 10 ms) RTT"};

    private Latency(int seconds, Path dist, Path forwarder) {
        this.seconds = seconds;
        this.dist = dist;
        this.forwarder = forwarder;
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int rounds = 1;
        List<String> only = List.of("kernel", "forwarder", "default", "none");
        Map<String, String[]> variants = new LinkedHashMap<>();
        Path dist = Paths.get(System.getProperty("og.dist.dir", "runtime/target/overlaygate"));
        Path forwarder = Paths.get(System.getProperty("og.forwarder", "benchmarks/target/forwarder"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds") && i + 1 < args.length) {
                seconds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--only") && i + 1 < args.length) {
                only = Arrays.asList(args[++i].split(","));
            } else if (args[i].equals("--loopback")) {
                only = new ArrayList<>(only);
                only.add("loopback");
            } else if (args[i].equals("--variant") && i + 1 < args.length) {
                String v = args[++i];
                int eq = v.indexOf('=');
                String label = eq < 0 ? v : v.substring(0, eq);
                String opts = eq < 0 ? "" : v.substring(eq + 1);
                String variantDist = "";
                int at = label.indexOf('@');
                if (at >= 0) {
                    variantDist = label.substring(at + 1);
                    label = label.substring(0, at);
                }
                variants.put(label, new String[] {variantDist, opts});
            } else {
                System.err.println(USAGE);
                System.exit(2);
            }
        }
        Throughput.requireNamespacesAnd("latency", "iperf3", "sockperf", "ping");
        if (!Files.isExecutable(dist.resolve("bin/overlaygate"))) {
            System.err.println("latency: no distribution at " + dist + " (build it: mvn -DskipTests install)");
            System.exit(2);
        }
        if (only.contains("forwarder") && !Files.isExecutable(forwarder)) {
            System.err.println("latency: no forwarder at " + forwarder + " (latency.sh compiles benchmarks/forwarder.c)");
            System.exit(2);
        }
        Latency l = new Latency(seconds, dist, forwarder);
        List<PathSpec> paths = new ArrayList<>();
        if (only.contains("kernel")) {
            paths.add(new PathSpec("kernel vxlan", l::kernel));
        }
        if (only.contains("forwarder")) {
            paths.add(new PathSpec("plain C forwarder", l::forwarder));
        }
        if (only.contains("default")) {
            paths.add(new PathSpec("appliance", body -> l.appliance(l.dist, "", body)));
        }
        if (only.contains("none")) {
            paths.add(new PathSpec("appliance offloads=none", body -> l.appliance(l.dist, "-Doverlaygate.core.offloads=none", body)));
        }
        if (only.contains("loopback")) {
            paths.add(new PathSpec("appliance loopback", l::loopback));
        }
        for (Map.Entry<String, String[]> v : variants.entrySet()) {
            Path d = v.getValue()[0].isEmpty() ? l.dist : Paths.get(v.getValue()[0]);
            String opts = v.getValue()[1];
            paths.add(new PathSpec("appliance " + v.getKey(), body -> l.appliance(d, opts, body)));
        }
        System.out.println("latency: " + seconds + " s per load, " + rounds + " round(s), kernel " + System.getProperty("os.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + Throughput.loadAverage());
        List<Map<String, Figures>> all = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Map<String, Figures> figures = new LinkedHashMap<>();
            for (PathSpec p : paths) {
                String load = Throughput.loadAverage();
                System.out.println("round " + round + ": " + p.label + " (load average " + load + ")");
                Figures f = p.topology.run((a, b, pids) -> l.measure(a, b, pids, load));
                figures.put(p.label, f);
            }
            all.add(figures);
            print("round " + round, figures);
        }
        if (rounds > 1) {
            printRanges(all);
        }
        System.out.println("load average after: " + Throughput.loadAverage());
    }

    // ------------------------------------------------------------------------------------------
    // the paths

    /** The kernel's VXLAN: a vxlan device in each of two namespaces over a veth pair. */
    private Figures kernel(Measure body) throws Exception {
        try (Netns a = Netns.create("ltka"); Netns b = Netns.create("ltkb")) {
            Throughput.veth(a, b, "10.204.0.1", "10.204.0.2");
            Throughput.kernelVxlanEnd(a, "10.204.0.1", "10.204.0.2", VM_A + "/24");
            Throughput.kernelVxlanEnd(b, "10.204.0.2", "10.204.0.1", VM_B + "/24");
            return body.apply(a, b, List.of());
        }
    }

    /** The plain forwarder in two host namespaces, each TAP moved into a VM namespace. */
    private Figures forwarder(Measure body) throws Exception {
        try (Netns h1 = Netns.create("lth1"); Netns h2 = Netns.create("lth2"); Netns v1 = Netns.create("ltv1");
                Netns v2 = Netns.create("ltv2")) {
            Throughput.veth(h1, h2, "10.204.0.1", "10.204.0.2");
            File log1 = File.createTempFile("forwarder", ".log");
            File log2 = File.createTempFile("forwarder", ".log");
            try {
                Process p1 = h1.start(log1, forwarder.toAbsolutePath().toString(), "ltt0", "10.204.0.1", "10.204.0.2", Integer.toString(PORT),
                        Integer.toString(VNI));
                Process p2 = h2.start(log2, forwarder.toAbsolutePath().toString(), "ltt0", "10.204.0.2", "10.204.0.1", Integer.toString(PORT),
                        Integer.toString(VNI));
                awaitReady(log1, p1);
                awaitReady(log2, p2);
                vm(h1, v1, VM_A);
                vm(h2, v2, VM_B);
                return body.apply(v1, v2, List.of(p1.pid(), p2.pid()));
            } finally {
                log1.delete();
                log2.delete();
            }
        }
    }

    private static void awaitReady(File log, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log.toPath()).contains("ready")) {
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new IOException("the forwarder did not start: " + Files.readString(log.toPath()).trim());
    }

    /** Moves host h's TAP {@code ltt0} into VM namespace v, MTU as the overlays', address, up. */
    private static void vm(Netns h, Netns v, String address) throws IOException {
        h.exec("ip", "link", "set", "ltt0", "netns", v.name()).check();
        v.exec("ip", "link", "set", "ltt0", "mtu", Integer.toString(Throughput.OVERLAY_MTU)).check();
        Throughput.plug(v, "ltt0", address + "/24");
    }

    /** Two appliances of build {@code d} with {@code opts}, as {@link Throughput}'s two hosts over VXLAN. */
    private Figures appliance(Path d, String opts, Measure body) throws Exception {
        Appliance app1 = new Appliance(DistributionCopy.copy(d), opts);
        Appliance app2 = null;
        try (Netns h1 = Netns.create("lth1"); Netns h2 = Netns.create("lth2"); Netns v1 = Netns.create("ltv1");
                Netns v2 = Netns.create("ltv2")) {
            app2 = new Appliance(DistributionCopy.copy(d), opts);
            Throughput.veth(h1, h2, "10.204.0.1", "10.204.0.2");
            app1.start(h1);
            app2.start(h2);
            app1.overlay("vxlan", "ovl", "10.204.0.1", PORT, "10.204.0.2", PORT);
            app2.overlay("vxlan", "ovl", "10.204.0.2", PORT, "10.204.0.1", PORT);
            app1.adm("vnic:create", "-l", "ovl", "-t", "ltt0", "vnic");
            app2.adm("vnic:create", "-l", "ovl", "-t", "ltt0", "vnic");
            h1.exec("ip", "link", "set", "ltt0", "netns", v1.name()).check();
            h2.exec("ip", "link", "set", "ltt0", "netns", v2.name()).check();
            Throughput.plug(v1, "ltt0", VM_A + "/24");
            Throughput.plug(v2, "ltt0", VM_B + "/24");
            return body.apply(v1, v2, List.of(app1.process.pid(), app2.process.pid()));
        } finally {
            app1.close();
            if (app2 != null) {
                app2.close();
            }
        }
    }

    /**
     * One appliance in a host namespace of its own, two overlays over its loopback, a TAP VNIC moved
     * into each VM namespace.
     */
    private Figures loopback(Measure body) throws Exception {
        Appliance app = new Appliance(DistributionCopy.copy(dist), "");
        try (Netns h = Netns.create("ltlh"); Netns v1 = Netns.create("ltla"); Netns v2 = Netns.create("ltlb")) {
            app.start(h);
            app.overlay("vxlan", "ovla", "127.0.0.1", PORT, "127.0.0.2", PORT);
            app.overlay("vxlan", "ovlb", "127.0.0.2", PORT, "127.0.0.1", PORT);
            app.adm("vnic:create", "-l", "ovla", "-t", "ltta", "vnica");
            app.adm("vnic:create", "-l", "ovlb", "-t", "lttb", "vnicb");
            h.exec("ip", "link", "set", "ltta", "netns", v1.name()).check();
            h.exec("ip", "link", "set", "lttb", "netns", v2.name()).check();
            Throughput.plug(v1, "ltta", VM_A + "/24");
            Throughput.plug(v2, "lttb", VM_B + "/24");
            return body.apply(v1, v2, List.of(app.process.pid()));
        } finally {
            app.close();
        }
    }

    // ------------------------------------------------------------------------------------------
    // the loads

    private Figures measure(Netns a, Netns b, List<Long> pids, String load) throws Exception {
        Netns.Result warm = a.exec("ping", "-c", "20", "-i", "0.01", "-W", "2", VM_B);
        if (warm.exitCode != 0) {
            throw new IOException("no connectivity before measuring: " + warm);
        }
        // Warm-up: a running appliance's code is compiled (JIT); a fresh one's first thousands of
        // packets run slower. A short TCP stream and a few thousand pings compile every path measured.
        underLoad(a, b, new double[1], 2, 0);
        ping(a, 0.001, 3000);
        long cpu0 = cpuTicks(pids);
        long t0 = System.nanoTime();
        Stats sparse = ping(a, 0.002, seconds * 500);
        double sparseCpu = cpuShare(pids, cpu0, t0);
        cpu0 = cpuTicks(pids);
        t0 = System.nanoTime();
        Stats udp = sockperf(a, b, false);
        Stats tcp = sockperf(a, b, true);
        double pingPongCpu = cpuShare(pids, cpu0, t0);
        double[] mbits = new double[1];
        Stats loaded = underLoad(a, b, mbits, seconds, seconds * 100);
        Figures f = new Figures(sparse, udp, tcp, loaded, mbits[0], sparseCpu, pingPongCpu, load);
        System.out.printf(Locale.ROOT, "  sparse %s | udp %s | tcp %s | loaded %s (stream %.0f Mbit/s)%n", brief(sparse), brief(udp), brief(tcp),
                brief(loaded), mbits[0]);
        return f;
    }

    private static final Pattern PING_TIME = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    /** {@code count} pings every {@code interval} seconds from a to b: the round trips in µs. */
    private Stats ping(Netns a, double interval, int count) throws IOException {
        Netns.Result r = a.exec((long) (count * interval * 1000) + 30_000, "ping", "-n", "-i", String.format(Locale.ROOT, "%.3f", interval),
                "-c", Integer.toString(count), "-W", "1", VM_B);
        List<Double> micros = new ArrayList<>();
        Matcher m = PING_TIME.matcher(r.output);
        while (m.find()) {
            micros.add(Double.parseDouble(m.group(1)) * 1000);
        }
        Matcher s = PING_SUMMARY.matcher(r.output);
        int lost = s.find() ? Integer.parseInt(s.group(1)) - Integer.parseInt(s.group(2)) : count - micros.size();
        if (micros.isEmpty()) {
            throw new IOException("ping got no answer: " + r);
        }
        return Stats.of(micros, lost);
    }

    private static final Pattern SP_AVG = Pattern.compile("avg-lat(?:ency)?=\\s*([0-9.]+)");
    private static final Pattern SP_P50 = Pattern.compile("percentile 50\\.000 =\\s*([0-9.]+)");
    private static final Pattern SP_P99 = Pattern.compile("percentile 99\\.000 =\\s*([0-9.]+)");
    private static final Pattern SP_MAX = Pattern.compile("<MAX> observation =\\s*([0-9.]+)");
    private static final Pattern SP_COUNT = Pattern.compile("Total (\\d+) observations");

    /** sockperf ping-pong of 64-byte messages from a to a server in b: half round trips in µs. */
    private Stats sockperf(Netns a, Netns b, boolean tcp) throws Exception {
        File log = File.createTempFile("sockperf-server", ".log");
        Process server = null;
        try {
            List<String> sr = new ArrayList<>(List.of("sockperf", "sr", "-i", VM_B, "-p", "11111"));
            if (tcp) {
                sr.add("--tcp");
            }
            server = b.start(log, sr.toArray(new String[0]));
            awaitListening(b, tcp ? "-Htln" : "-Huln", VM_B + ":11111");
            List<String> pp = new ArrayList<>(List.of("sockperf", "ping-pong", "-i", VM_B, "-p", "11111", "-m", "64", "-t",
                    Integer.toString(Math.max(1, seconds / 2))));
            if (tcp) {
                pp.add("--tcp");
            }
            Netns.Result r = a.exec((seconds + 30) * 1000L, pp.toArray(new String[0]));
            String out = r.output.replaceAll("\u001b\\[[0-9;]*m", "");
            if (r.exitCode != 0) {
                throw new IOException("sockperf failed: " + out);
            }
            double avg = number(out, SP_AVG);
            Matcher c = SP_COUNT.matcher(out);
            int n = c.find() ? Integer.parseInt(c.group(1)) : 0;
            return new Stats(avg, number(out, SP_P50), number(out, SP_P99), number(out, SP_MAX), n, 0);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor(5, TimeUnit.SECONDS);
            }
            log.delete();
        }
    }

    private static double number(String out, Pattern p) throws IOException {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IOException("no " + p + " in sockperf's output: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /** {@code pings} pings every 10 ms from a to b while an iperf3 TCP stream runs from a to b for about {@code secs}; null without pings. */
    private Stats underLoad(Netns a, Netns b, double[] mbits, int secs, int pings) throws Exception {
        File log = File.createTempFile("iperf3-server", ".log");
        File client = File.createTempFile("iperf3-client", ".log");
        try {
            b.start(log, "iperf3", "-s", "-1", "-B", VM_B);
            awaitListening(b, "-Htln", VM_B + ":5201");
            Process stream = a.start(client, "iperf3", "-c", VM_B, "-t", Integer.toString(pings > 0 ? secs + 3 : secs), "-f", "m");
            Stats s = null;
            if (pings > 0) {
                Thread.sleep(1500); // past slow start
                s = ping(a, 0.01, pings);
            }
            if (!stream.waitFor(secs + 30, TimeUnit.SECONDS)) {
                stream.destroyForcibly();
                throw new IOException("iperf3 did not end");
            }
            Matcher m = Pattern.compile("([0-9.]+) Mbits/sec.*receiver").matcher(Files.readString(client.toPath()));
            mbits[0] = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
            return s;
        } finally {
            log.delete();
            client.delete();
        }
    }

    private static void awaitListening(Netns ns, String ssOptions, String address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Netns.Result ss = ns.exec("ss", ssOptions, "src", address);
            if (ss.exitCode == 0 && !ss.output.isBlank()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("nothing listens on " + address + " within 10 s");
    }

    private static long cpuTicks(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return sum;
    }

    /** CPU seconds of the processes per wall second since (ticks0, t0); NaN without processes (the kernel's path). */
    private static double cpuShare(List<Long> pids, long ticks0, long t0) {
        if (pids.isEmpty()) {
            return Double.NaN;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return (cpuTicks(pids) - ticks0) / 100.0 / secs;
    }

    // ------------------------------------------------------------------------------------------
    // printing

    private static String brief(Stats s) {
        return String.format(Locale.ROOT, "%.0f/%.0f/%.0f/%.0f", s.avg, s.p50, s.p99, s.max);
    }

    private static void print(String title, Map<String, Figures> figures) {
        Figures base = figures.get("kernel vxlan");
        System.out.println();
        System.out.println(title + ": microseconds avg / p50 / p99 / max, (ratio of avg and of p99 to the kernel's)");
        for (int load = 0; load < LOADS.length; load++) {
            System.out.println(LOADS[load] + ":");
            for (Map.Entry<String, Figures> e : figures.entrySet()) {
                Stats s = e.getValue().get(load);
                String ratio = base == null ? "" : String.format(Locale.ROOT, "  (%.2fx, %.2fx)", s.avg / base.get(load).avg,
                        s.p99 / base.get(load).p99);
                String extra = load == 0 || load == 3 ? " lost " + s.lost : "";
                if (load == 0 && base != null && e.getValue() != base) {
                    extra += String.format(Locale.ROOT, ", adds %.0f avg", s.avg - base.sparse.avg);
                }
                if (load == 3) {
                    extra += String.format(Locale.ROOT, ", stream %.0f Mbit/s", e.getValue().loadedMbits);
                }
                System.out.printf(Locale.ROOT, "  %-30s %8.0f %8.0f %8.0f %8.0f%s%s%n", e.getKey(), s.avg, s.p50, s.p99, s.max, ratio, extra);
            }
        }
        System.out.println("CPU of the data path's processes (CPU seconds per second) sparse / ping-pong, and the load average at the start:");
        for (Map.Entry<String, Figures> e : figures.entrySet()) {
            Figures f = e.getValue();
            System.out.printf(Locale.ROOT, "  %-30s %5.2f / %5.2f   load %s%n", e.getKey(), f.sparseCpu, f.pingPongCpu, f.loadBefore);
        }
    }

    /** Each figure's lowest and highest over the rounds: how noisy the machine was. */
    private static void printRanges(List<Map<String, Figures>> rounds) {
        System.out.println();
        System.out.println("over " + rounds.size() + " rounds, lowest-highest (µs); ratios to the kernel's of the same round:");
        String[] what = {"avg", "p50", "p99", "max"};
        for (int load = 0; load < LOADS.length; load++) {
            System.out.println(LOADS[load] + ":");
            for (String path : rounds.get(0).keySet()) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-30s", path));
                for (int k = 0; k < 4; k++) {
                    double lo = Double.MAX_VALUE;
                    double hi = -Double.MAX_VALUE;
                    double rlo = Double.MAX_VALUE;
                    double rhi = -Double.MAX_VALUE;
                    for (Map<String, Figures> r : rounds) {
                        double v = r.get(path).get(load).get(k);
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                        Figures base = r.get("kernel vxlan");
                        if (base != null) {
                            double ratio = v / base.get(load).get(k);
                            rlo = Math.min(rlo, ratio);
                            rhi = Math.max(rhi, ratio);
                        }
                    }
                    line.append(String.format(Locale.ROOT, " %s %.0f-%.0f", what[k], lo, hi));
                    if (rlo != Double.MAX_VALUE && (k == 0 || k == 2)) {
                        line.append(String.format(Locale.ROOT, " (%.2f-%.2fx)", rlo, rhi));
                    }
                }
                System.out.println(line);
            }
        }
    }
}
