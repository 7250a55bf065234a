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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * End-to-end throughput, measured side by side in one run: iperf3 TCP (Mbit/s) and UDP (packets/s
 * of 1400-byte IP packets, the overlay MTU) between two network namespaces, through
 * <ol>
 * <li>the Linux kernel's VXLAN (the baseline): a vxlan device in each namespace over a veth pair;</li>
 * <li>the appliance: a TAP VNIC in each namespace, two VXLAN overlays of one appliance joined over
 * loopback;</li>
 * <li>the same with NVGRE overlays (raw IP protocol 47).</li>
 * </ol>
 * Prints each path's figures and its ratio to the kernel's. Needs root, ip and iperf3; the
 * appliance comes from runtime/target/overlaygate (copied to a temporary directory). Everything it
 * creates is removed at the end, also on failure.
 */
public final class Throughput {
    private static final int OVERLAY_MTU = 1400;
    /** UDP payload of a 1400-byte IP packet. */
    private static final int UDP_PAYLOAD = OVERLAY_MTU - 20 - 8;

    private final int seconds;
    private final Path dist;

    private Throughput(int seconds, Path dist) {
        this.seconds = seconds;
        this.dist = dist;
    }

    /** One path's results. */
    static final class Result {
        final String path;
        final double tcpMbps;
        final double udpPps;

        Result(String path, double tcpMbps, double udpPps) {
            this.path = path;
            this.tcpMbps = tcpMbps;
            this.udpPps = udpPps;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        boolean nvgre = true;
        Path dist = Paths.get(System.getProperty("og.dist.dir", "runtime/target/overlaygate"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--no-nvgre")) {
                nvgre = false;
            } else {
                System.err.println("usage: throughput.sh [--seconds N] [--no-nvgre]");
                System.exit(2);
            }
        }
        String why = Netns.unavailableReason();
        if (why == null && Netns.findExecutable("iperf3") == null) {
            why = "needs iperf3 (apt-get install iperf3)";
        }
        if (why != null) {
            System.err.println("throughput: " + why);
            System.exit(2);
        }
        if (!Files.isExecutable(dist.resolve("bin/overlaygate"))) {
            System.err.println("throughput: no distribution at " + dist + " (build it: mvn -DskipTests install)");
            System.exit(2);
        }
        Throughput t = new Throughput(seconds, dist);
        List<Result> results = new ArrayList<>();
        results.add(t.kernelVxlan());
        results.add(t.appliance("vxlan"));
        if (nvgre) {
            results.add(t.appliance("nvgre"));
        }
        print(results);
    }

    private static void print(List<Result> results) {
        Result base = results.get(0);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-18s %14s %10s %18s %10s%n", "PATH", "TCP Mbit/s", "TCP ratio", "UDP 1400B pkts/s", "UDP ratio");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-18s %14.1f %10.3f %18.0f %10.3f%n", r.path, r.tcpMbps, r.tcpMbps / base.tcpMbps, r.udpPps,
                    r.udpPps / base.udpPps);
        }
        System.out.println("(ratios against the kernel VXLAN measured in the same run; targets for the appliance: TCP >= 0.08, UDP >= 0.5)");
    }

    /** The baseline: kernel vxlan devices in two namespaces over a veth pair. */
    private Result kernelVxlan() throws Exception {
        try (Netns a = Netns.create("tpka"); Netns b = Netns.create("tpkb")) {
            String va = Netns.uniqueName("tpva");
            a.addVeth(va, "u0"); // the pair is created in the root namespace; its other end goes to b
            Netns.run("ip", "link", "set", va, "netns", b.name()).check();
            a.exec("ip", "addr", "add", "10.201.0.1/24", "dev", "u0").check();
            a.exec("ip", "link", "set", "u0", "up").check();
            b.exec("ip", "link", "set", va, "name", "u0").check();
            b.exec("ip", "addr", "add", "10.201.0.2/24", "dev", "u0").check();
            b.exec("ip", "link", "set", "u0", "up").check();
            kernelVxlanEnd(a, "10.201.0.1", "10.201.0.2", "192.168.201.1/24");
            kernelVxlanEnd(b, "10.201.0.2", "10.201.0.1", "192.168.201.2/24");

            return measure("kernel vxlan", a, b, "192.168.201.2");
        }
    }

    private static void kernelVxlanEnd(Netns ns, String local, String remote, String cidr) throws IOException {
        ns.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", "4242", "local", local, "remote", remote, "dstport", "4789").check();
        ns.exec("ip", "link", "set", "vx0", "mtu", Integer.toString(OVERLAY_MTU)).check();
        ns.exec("ip", "addr", "add", cidr, "dev", "vx0").check();
        ns.exec("ip", "link", "set", "vx0", "up").check();
    }

    /** The appliance: one TAP VNIC per namespace, two overlays joined over loopback. */
    private Result appliance(String encap) throws Exception {
        Path home = DistributionCopy.copy(dist);
        Process appliance = null;
        try (Netns a = Netns.create("tpaa"); Netns b = Netns.create("tpab")) {
            appliance = new ProcessBuilder(home.resolve("bin/overlaygate").toString()).redirectErrorStream(true)
                    .redirectOutput(home.resolve("log/console.txt").toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            awaitSocket(home);
            String tapA = Netns.uniqueName("tpta");
            String tapB = Netns.uniqueName("tptb");
            if (encap.equals("vxlan")) {
                adm(home, "overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4242", "-p", "vxlan/listen_ip=127.0.0.1", "-p",
                        "vxlan/listen_port=47890", "-p", "direct/dest_ip=127.0.0.2", "-p", "direct/dest_port=47891", "-p",
                        "mtu=" + OVERLAY_MTU, "ovla");
                adm(home, "overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4242", "-p", "vxlan/listen_ip=127.0.0.2", "-p",
                        "vxlan/listen_port=47891", "-p", "direct/dest_ip=127.0.0.1", "-p", "direct/dest_port=47890", "-p",
                        "mtu=" + OVERLAY_MTU, "ovlb");
            } else {
                adm(home, "overlay:create", "-e", encap, "-s", "direct", "-v", "5001", "-p", encap + "/listen_ip=127.0.0.1", "-p",
                        "direct/dest_ip=127.0.0.2", "-p", "mtu=" + OVERLAY_MTU, "ovla");
                adm(home, "overlay:create", "-e", encap, "-s", "direct", "-v", "5001", "-p", encap + "/listen_ip=127.0.0.2", "-p",
                        "direct/dest_ip=127.0.0.1", "-p", "mtu=" + OVERLAY_MTU, "ovlb");
            }
            adm(home, "vnic:create", "-l", "ovla", "-t", tapA, "vnica");
            adm(home, "vnic:create", "-l", "ovlb", "-t", tapB, "vnicb");
            plug(a, tapA, "192.168.202.1/24");
            plug(b, tapB, "192.168.202.2/24");
            Result r = measure("appliance " + encap, a, b, "192.168.202.2");
            System.out.println(adm(home, "overlay:stats"));
            return r;
        } finally {
            if (appliance != null) {
                appliance.destroy();
                appliance.waitFor(30, TimeUnit.SECONDS);
                appliance.destroyForcibly();
            }
            DistributionCopy.delete(home);
        }
    }

    private static void plug(Netns ns, String tap, String cidr) throws IOException {
        ns.moveIn(tap);
        ns.exec("ip", "addr", "add", cidr, "dev", tap).check();
        ns.exec("ip", "link", "set", tap, "up").check();
    }

    /** iperf3 TCP then UDP from a to b's address, each for {@code seconds}. */
    private Result measure(String path, Netns a, Netns b, String server) throws Exception {
        Netns.Result ping = a.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", server);
        if (ping.exitCode != 0) {
            throw new IOException(path + ": no connectivity before measuring: " + ping);
        }
        double tcp = iperf(a, b, server, false);
        double udp = iperf(a, b, server, true);
        System.out.printf(Locale.ROOT, "%s: TCP %.1f Mbit/s, UDP %.0f packets/s received%n", path, tcp, udp);
        return new Result(path, tcp, udp);
    }

    private double iperf(Netns a, Netns b, String server, boolean udp) throws Exception {
        File log = File.createTempFile("iperf3-server", ".log");
        try {
            Process s = b.start(log, "iperf3", "-s", "-1", "-B", server);
            Thread.sleep(500);
            List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", server, "-t", Integer.toString(seconds), "-J"));
            if (udp) {
                // Unlimited rate; 4 MiB socket buffers at both ends, so that iperf3's own receive
                // buffer is not what drops packets on either path (the same options for every path).
                cmd.addAll(List.of("-u", "-b", "0", "-l", Integer.toString(UDP_PAYLOAD), "-w", "4M"));
            }
            Netns.Result r = a.exec((seconds + 30) * 1000L, cmd.toArray(new String[0]));
            s.waitFor(10, TimeUnit.SECONDS);
            if (r.exitCode != 0) {
                throw new IOException("iperf3 failed: " + r);
            }
            String received = section(r.output, "sum_received");
            double secs = number(received, "seconds");
            return udp ? number(received, "bytes") / UDP_PAYLOAD / secs : number(received, "bits_per_second") / 1e6;
        } finally {
            log.delete();
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

    private static void awaitSocket(Path home) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(home.resolve("run/overlayadm.sock"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("the appliance did not start; see " + home.resolve("log"));
    }

    private static String adm(Path home, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/overlayadm").toString()));
        cmd.addAll(List.of(args));
        Netns.Result r = Netns.run(cmd.toArray(new String[0]));
        if (r.exitCode != 0) {
            throw new IOException("overlayadm " + String.join(" ", args) + ": " + r.output);
        }
        return r.output;
    }
}
