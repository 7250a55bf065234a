package org.overlaygate.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * End-to-end throughput, measured side by side in one run: iperf3 TCP (Mbit/s) and UDP (packets/s
 * of 1400-byte IP packets, the overlay MTU) between two network namespaces, through
 * <ol>
 * <li>the Linux kernel's VXLAN (the baseline): a vxlan device in each namespace over a veth pair;</li>
 * <li>the appliance, "loopback": a TAP VNIC in each namespace, two overlays of one appliance joined
 * over loopback, with VXLAN and with NVGRE;</li>
 * <li>with {@code --two-hosts}, the appliance, "two hosts": two appliances, each in a namespace of
 * its own (a host), joined by a veth pair (the underlay), each with a TAP VNIC in a further
 * namespace (a VM); VXLAN and NVGRE. This is the kernel baseline's topology with the appliance in
 * place of the kernel's VXLAN.</li>
 * </ol>
 * For each path it also measures the CPU time spent per GB carried (all CPUs of the machine, from
 * /proc/stat, and the appliance processes alone, from /proc/PID/stat) and the appliance's largest
 * resident set while under load. Prints each path's figures and its ratios to the kernel's. Needs
 * root, ip and iperf3; the appliance comes from runtime/target/overlaygate (or -Dog.dist.dir),
 * copied to a temporary directory. Everything it creates is removed at the end, also on failure.
 * The machine should be otherwise idle: the load average is printed before and after.
 */
public final class Throughput {
    static final int OVERLAY_MTU = 1400;
    /** UDP payload of a 1400-byte IP packet. */
    private static final int UDP_PAYLOAD = OVERLAY_MTU - 20 - 8;
    private static final String USAGE = "usage: throughput.sh [--seconds N] [--no-nvgre] [--two-hosts] [--offloads all|none|LIST]";

    private final int seconds;
    private final Path dist;
    private final String offloads;

    Throughput(int seconds, Path dist, String offloads) {
        this.seconds = seconds;
        this.dist = dist;
        this.offloads = offloads;
    }

    /** One path's results; rssBytes -1 for the kernel's path. */
    record Result(String path, Run tcp, Run udp, long rssBytes) {
    }

    /** One iperf3 run: its rate (Mbit/s or packets/s), what it carried, and the CPU time it cost. */
    record Run(double rate, long bytes, double cpuSeconds, double applianceCpuSeconds) {
        double cpuPerGb() {
            return bytes == 0 ? Double.NaN : cpuSeconds / (bytes / 1e9);
        }

        double applianceCpuPerGb() {
            return bytes == 0 ? Double.NaN : applianceCpuSeconds / (bytes / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        boolean nvgre = true;
        boolean twoHosts = false;
        String offloads = null;
        Path dist = Paths.get(System.getProperty("og.dist.dir", "runtime/target/overlaygate"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds") && i + 1 < args.length) {
                seconds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--no-nvgre")) {
                nvgre = false;
            } else if (args[i].equals("--two-hosts")) {
                twoHosts = true;
            } else if (args[i].equals("--offloads") && i + 1 < args.length) {
                offloads = args[++i];
            } else {
                System.err.println(USAGE);
                System.exit(2);
            }
        }
        requireNamespacesAnd("throughput", "iperf3");
        if (!Files.isExecutable(dist.resolve("bin/overlaygate"))) {
            System.err.println("throughput: no distribution at " + dist + " (build it: mvn -DskipTests install)");
            System.exit(2);
        }
        System.out.println("throughput: " + seconds + " s per run, kernel " + System.getProperty("os.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + loadAverage()
                + (offloads == null ? "" : ", appliance offloads " + offloads));
        Throughput t = new Throughput(seconds, dist, offloads);
        List<Result> results = new ArrayList<>();
        results.add(t.kernelVxlan());
        results.add(t.loopback("vxlan"));
        if (nvgre) {
            results.add(t.loopback("nvgre"));
        }
        if (twoHosts) {
            results.add(t.twoHosts("vxlan"));
            if (nvgre) {
                results.add(t.twoHosts("nvgre"));
            }
        }
        print(results);
        System.out.println("load average after: " + loadAverage());
    }

    private static void print(List<Result> results) {
        Result base = results.get(0);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-26s %11s %9s %15s %9s %12s %12s %9s%n", "PATH", "TCP Mbit/s", "TCP ratio", "UDP 1400B pps",
                "UDP ratio", "CPU s/GB", "APPL s/GB", "RSS MiB");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-26s %11.1f %9.3f %15.0f %9.3f %12s %12s %9s%n", r.path, r.tcp.rate, r.tcp.rate / base.tcp.rate,
                    r.udp.rate, r.udp.rate / base.udp.rate, pair(r.tcp.cpuPerGb(), r.udp.cpuPerGb()),
                    r.rssBytes < 0 ? "-" : pair(r.tcp.applianceCpuPerGb(), r.udp.applianceCpuPerGb()),
                    r.rssBytes < 0 ? "-" : Long.toString(r.rssBytes >> 20));
        }
        System.out.println("(ratios against the kernel VXLAN measured in the same run; targets for the appliance over VXLAN: TCP >= 0.35,"
                + " aim 0.5; UDP >= 0.9. CPU s/GB: CPU seconds of the whole machine per GB received, TCP/UDP; APPL s/GB: of the"
                + " appliance processes alone; RSS: the appliance's largest resident set under load, both appliances summed for"
                + " two hosts)");
    }

    private static String pair(double a, double b) {
        return String.format(Locale.ROOT, "%.2f/%.2f", a, b);
    }

    // ------------------------------------------------------------------------------------------
    // the three topologies

    /** The baseline: kernel vxlan devices in two namespaces over a veth pair. */
    private Result kernelVxlan() throws Exception {
        try (Netns a = Netns.create("tpka"); Netns b = Netns.create("tpkb")) {
            veth(a, b, "10.201.0.1", "10.201.0.2");
            kernelVxlanEnd(a, "10.201.0.1", "10.201.0.2", "192.168.201.1/24");
            kernelVxlanEnd(b, "10.201.0.2", "10.201.0.1", "192.168.201.2/24");
            return measure("kernel vxlan", a, b, "192.168.201.2", List.of());
        }
    }

    /** JVM options of the appliances: the offloads setting, when one was given. */
    private String offloadOptions() {
        return offloads == null ? "" : "-Doverlaygate.core.offloads=" + offloads;
    }

    /** A veth pair {@code u0} between two namespaces, with an address at each end. */
    static void veth(Netns a, Netns b, String addressA, String addressB) throws IOException {
        String va = Netns.uniqueName("tpva");
        a.addVeth(va, "u0"); // the pair is created in the root namespace; its other end goes to b
        Netns.run("ip", "link", "set", va, "netns", b.name()).check();
        a.exec("ip", "addr", "add", addressA + "/24", "dev", "u0").check();
        a.exec("ip", "link", "set", "u0", "up").check();
        b.exec("ip", "link", "set", va, "name", "u0").check();
        b.exec("ip", "addr", "add", addressB + "/24", "dev", "u0").check();
        b.exec("ip", "link", "set", "u0", "up").check();
    }

    static void kernelVxlanEnd(Netns ns, String local, String remote, String cidr) throws IOException {
        ns.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", "4242", "local", local, "remote", remote, "dstport", "4789").check();
        ns.exec("ip", "link", "set", "vx0", "mtu", Integer.toString(OVERLAY_MTU)).check();
        ns.exec("ip", "addr", "add", cidr, "dev", "vx0").check();
        ns.exec("ip", "link", "set", "vx0", "up").check();
    }

    /** One appliance, a TAP VNIC per namespace, two overlays joined over loopback. */
    private Result loopback(String encap) throws Exception {
        Appliance app = new Appliance(DistributionCopy.copy(dist), offloadOptions());
        try (Netns a = Netns.create("tpaa"); Netns b = Netns.create("tpab")) {
            app.start(null);
            String tapA = Netns.uniqueName("tpta");
            String tapB = Netns.uniqueName("tptb");
            app.overlay(encap, "ovla", "127.0.0.1", 47890, "127.0.0.2", 47891);
            app.overlay(encap, "ovlb", "127.0.0.2", 47891, "127.0.0.1", 47890);
            app.adm("vnic:create", "-l", "ovla", "-t", tapA, "vnica");
            app.adm("vnic:create", "-l", "ovlb", "-t", tapB, "vnicb");
            a.moveIn(tapA);
            b.moveIn(tapB);
            plug(a, tapA, "192.168.202.1/24");
            plug(b, tapB, "192.168.202.2/24");
            Result r = measure("appliance " + encap + " loopback", a, b, "192.168.202.2", List.of(app));
            System.out.println(app.adm("overlay:stats"));
            return r;
        } finally {
            app.close();
        }
    }

    /**
     * Two appliances, each in a host namespace of its own, joined by a veth pair; each one's TAP
     * VNIC moved into a VM namespace of its own.
     */
    private Result twoHosts(String encap) throws Exception {
        Appliance app1 = new Appliance(DistributionCopy.copy(dist), offloadOptions());
        Appliance app2 = null;
        try (Netns h1 = Netns.create("tph1"); Netns h2 = Netns.create("tph2"); Netns v1 = Netns.create("tpv1");
                Netns v2 = Netns.create("tpv2")) {
            app2 = new Appliance(DistributionCopy.copy(dist), offloadOptions());
            veth(h1, h2, "10.203.0.1", "10.203.0.2");
            app1.start(h1);
            app2.start(h2);
            app1.overlay(encap, "ovl", "10.203.0.1", 4789, "10.203.0.2", 4789);
            app2.overlay(encap, "ovl", "10.203.0.2", 4789, "10.203.0.1", 4789);
            app1.adm("vnic:create", "-l", "ovl", "-t", "tpt0", "vnic");
            app2.adm("vnic:create", "-l", "ovl", "-t", "tpt0", "vnic");
            h1.exec("ip", "link", "set", "tpt0", "netns", v1.name()).check();
            h2.exec("ip", "link", "set", "tpt0", "netns", v2.name()).check();
            plug(v1, "tpt0", "192.168.203.1/24");
            plug(v2, "tpt0", "192.168.203.2/24");
            Result r = measure("appliance " + encap + " two hosts", v1, v2, "192.168.203.2", List.of(app1, app2));
            System.out.println(app1.adm("overlay:stats"));
            System.out.println(app2.adm("overlay:stats"));
            return r;
        } finally {
            app1.close();
            if (app2 != null) {
                app2.close();
            }
        }
    }

    static void plug(Netns ns, String tap, String cidr) throws IOException {
        ns.exec("ip", "addr", "add", cidr, "dev", tap).check();
        ns.exec("ip", "link", "set", tap, "up").check();
    }

    // ------------------------------------------------------------------------------------------
    // measuring

    /** iperf3 TCP then UDP from a to b's address, each for {@code seconds}, with CPU time and RSS. */
    Result measure(String path, Netns a, Netns b, String server, List<Appliance> appliances) throws Exception {
        Netns.Result ping = a.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", server);
        if (ping.exitCode != 0) {
            throw new IOException(path + ": no connectivity before measuring: " + ping);
        }
        AtomicLong rss = new AtomicLong(appliances.isEmpty() ? -1 : 0);
        Thread sampler = new Thread(() -> sampleRss(appliances, rss), "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            Run tcp = iperf(a, b, server, false, appliances);
            Run udp = iperf(a, b, server, true, appliances);
            System.out.printf(Locale.ROOT, "%s: TCP %.1f Mbit/s, UDP %.0f packets/s received%n", path, tcp.rate, udp.rate);
            return new Result(path, tcp, udp, rss.get());
        } finally {
            sampler.interrupt();
            sampler.join();
        }
    }

    /** The largest sum of the appliances' VmRSS seen, every 200 ms until interrupted. */
    private static void sampleRss(List<Appliance> appliances, AtomicLong max) {
        if (appliances.isEmpty()) {
            return;
        }
        while (!Thread.currentThread().isInterrupted()) {
            long sum = 0;
            for (Appliance a : appliances) {
                sum += a.rssBytes();
            }
            max.accumulateAndGet(sum, Math::max);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Run iperf(Netns a, Netns b, String server, boolean udp, List<Appliance> appliances) throws Exception {
        File log = File.createTempFile("iperf3-server", ".log");
        try {
            b.start(log, "iperf3", "-s", "-1", "-B", server);
            awaitListening(b, server);
            List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", server, "-t", Integer.toString(seconds), "-J"));
            if (udp) {
                // Unlimited rate; 4 MiB socket buffers at both ends, so that iperf3's own receive
                // buffer is not what drops packets on either path (the same options for every path).
                cmd.addAll(List.of("-u", "-b", "0", "-l", Integer.toString(UDP_PAYLOAD), "-w", "4M"));
            }
            long busyBefore = busyTicks();
            long applianceBefore = cpuTicks(appliances);
            Netns.Result r = a.exec((seconds + 30) * 1000L, cmd.toArray(new String[0]));
            long busy = busyTicks() - busyBefore;
            long appliance = cpuTicks(appliances) - applianceBefore;
            if (r.exitCode != 0) {
                throw new IOException("iperf3 failed: " + r);
            }
            String received = section(r.output, "sum_received");
            double secs = number(received, "seconds");
            long bytes = (long) number(received, "bytes");
            double rate = udp ? bytes / (double) UDP_PAYLOAD / secs : number(received, "bits_per_second") / 1e6;
            return new Run(rate, bytes, busy / (double) TICKS_PER_SECOND, appliance / (double) TICKS_PER_SECOND);
        } finally {
            log.delete();
        }
    }

    /** Waits until iperf3's server listens on port 5201 (ss), at most 10 s. */
    private static void awaitListening(Netns ns, String address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Netns.Result ss = ns.exec("ss", "-Htln", "src", address + ":5201");
            if (ss.exitCode == 0 && ss.output.contains("5201")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("iperf3 server did not listen on " + address + ":5201 within 10 s");
    }

    /** USER_HZ: the unit of /proc/stat and /proc/PID/stat times (100 on every Linux this runs on). */
    private static final int TICKS_PER_SECOND = 100;

    /** Busy time of all CPUs so far (everything but idle and iowait), in ticks. */
    private static long busyTicks() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = cpu.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        return total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
    }

    private static long cpuTicks(List<Appliance> appliances) throws IOException {
        long sum = 0;
        for (Appliance a : appliances) {
            sum += a.cpuTicks();
        }
        return sum;
    }

    /**
     * Exits with status 2, saying why, unless network namespaces can be made here and every one of
     * {@code tools} is on the PATH: what each benchmark checks before it starts.
     */
    static void requireNamespacesAnd(String benchmark, String... tools) {
        String why = Netns.unavailableReason();
        for (String tool : tools) {
            if (why == null && Netns.findExecutable(tool) == null) {
                why = "needs " + tool + " (apt-get install " + (tool.equals("ping") ? "iputils-ping" : tool) + ")";
            }
        }
        if (why != null) {
            System.err.println(benchmark + ": " + why);
            System.exit(2);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String section(String json, String name) throws IOException {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\\{([^}]*)}").matcher(json);
        if (!m.find()) {
            throw new IOException("no " + name + " in iperf3 output: " + json);
        }
        return m.group(1);
    }

    private static double number(String section, String field) throws IOException {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*([0-9.eE+-]+)").matcher(section);
        if (!m.find()) {
            throw new IOException("no " + field + " in " + section);
        }
        return Double.parseDouble(m.group(1));
    }
}
