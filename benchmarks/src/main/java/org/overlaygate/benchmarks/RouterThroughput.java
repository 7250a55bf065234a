package org.overlaygate.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * Routing throughput, measured side by side in one run (issue 19's benchmark), in
 * RouterNamespaceIT's topology: two hosts (namespaces joined by a veth pair, the underlay), each
 * with overlay net1 (10.1.0.0/24, VNI 100) and net2 (10.2.0.0/24, VNI 200), MTU 1400, and VMs
 * (namespaces): vm1 on host 1 in net1 (10.1.0.2), vm2 on host 2 in net1 (10.1.0.3), vm3 on host 2
 * in net2 (10.2.0.2). iperf3 TCP (Mbit/s) and UDP (packets/s of 1400-byte IP packets) from vm1 to
 * <ol>
 * <li>vm2 through the appliance, same overlay;</li>
 * <li>vm3 through the appliance's router r1, defined on both hosts (a distributed gateway: each
 * host routes its own VM's packets), next hops from the files mappings;</li>
 * <li>vm2 through the Linux kernel, same overlay: on each host a vxlan device per VNI in a bridge
 * of its own;</li>
 * <li>vm3 through the Linux kernel routing between those bridges (ip_forward on, the VMs' default
 * routes via their host's bridge addresses, so each host routes its own VM's packets as r1 does).</li>
 * </ol>
 * Prints each figure with the CPU time per GB (whole machine and appliances alone, as
 * {@link Throughput}), and the ratios routed/same-overlay and routed/kernel. Needs root, ip, iperf3;
 * everything it creates is removed at the end, also on failure.
 */
public final class RouterThroughput {
    private static final String USAGE = "usage: router.sh [--seconds N]";
    private static final String MAC_1 = "02:08:20:00:92:01";
    private static final String MAC_2 = "02:08:20:00:92:02";
    private static final String MAC_3 = "02:08:20:00:92:03";
    private static final String HOST_1 = "10.205.0.1";
    private static final String HOST_2 = "10.205.0.2";
    private static final String MTU = Integer.toString(Throughput.OVERLAY_MTU);

    private final Throughput meter;
    private final Path dist;

    private RouterThroughput(Throughput meter, Path dist) {
        this.meter = meter;
        this.dist = dist;
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        Path dist = Paths.get(System.getProperty("og.dist.dir", "runtime/target/overlaygate"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds") && i + 1 < args.length) {
                seconds = Integer.parseInt(args[++i]);
            } else {
                System.err.println(USAGE);
                System.exit(2);
            }
        }
        Throughput.requireNamespacesAnd("router", "iperf3");
        if (!Files.isRegularFile(dist.resolve("plugins.d/overlay-router.jar"))) {
            System.err.println("router: no distribution with the router plugin at " + dist + " (build it: mvn -DskipTests install)");
            System.exit(2);
        }
        System.out.println("router: " + seconds + " s per run, kernel " + System.getProperty("os.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + Throughput.loadAverage());
        RouterThroughput r = new RouterThroughput(new Throughput(seconds, dist, null), dist);
        Throughput.Result[] appliance = r.appliance();
        Throughput.Result[] kernel = r.kernel();
        print(appliance[0], appliance[1], kernel[0], kernel[1]);
        System.out.println("load average after: " + Throughput.loadAverage());
    }

    private static void print(Throughput.Result same, Throughput.Result routed, Throughput.Result kernelSame, Throughput.Result kernelRouted) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %11s %15s %12s %12s%n", "PATH", "TCP Mbit/s", "UDP 1400B pps", "CPU s/GB", "APPL s/GB");
        for (Throughput.Result r : List.of(same, routed, kernelSame, kernelRouted)) {
            boolean kernel = r.rssBytes() < 0;
            System.out.printf(Locale.ROOT, "%-28s %11.1f %15.0f %12s %12s%n", r.path(), r.tcp().rate(), r.udp().rate(),
                    pair(r.tcp().cpuPerGb(), r.udp().cpuPerGb()), kernel ? "-" : pair(r.tcp().applianceCpuPerGb(), r.udp().applianceCpuPerGb()));
        }
        System.out.println();
        ratio("routed / same overlay (appliance)", routed, same);
        ratio("routed: appliance / kernel", routed, kernelRouted);
        ratio("same overlay: appliance / kernel", same, kernelSame);
        ratio("routed / same overlay (kernel)", kernelRouted, kernelSame);
        System.out.println("(CPU s/GB: CPU seconds of the whole machine per GB received, TCP/UDP; APPL s/GB: of the two appliance"
                + " processes alone)");
    }

    private static void ratio(String what, Throughput.Result a, Throughput.Result b) {
        System.out.printf(Locale.ROOT, "%-36s TCP %.3f  UDP %.3f%n", what, a.tcp().rate() / b.tcp().rate(), a.udp().rate() / b.udp().rate());
    }

    private static String pair(double a, double b) {
        return String.format(Locale.ROOT, "%.2f/%.2f", a, b);
    }

    /** Same overlay and routed through two appliances with r1 on both. */
    private Throughput.Result[] appliance() throws Exception {
        Path dir = Files.createTempDirectory("router-bench");
        Appliance app1 = new Appliance(DistributionCopy.copy(dist), "");
        Appliance app2 = null;
        try (Netns h1 = Netns.create("rbh1"); Netns h2 = Netns.create("rbh2"); Netns vm1 = Netns.create("rbv1"); Netns vm2 = Netns.create("rbv2");
                Netns vm3 = Netns.create("rbv3")) {
            app2 = new Appliance(DistributionCopy.copy(dist), "");
            Throughput.veth(h1, h2, HOST_1, HOST_2);
            Path net1 = dir.resolve("net1.json");
            Path net2 = dir.resolve("net2.json");
            Files.writeString(net1, "{ " + entry(MAC_1, HOST_1, "10.1.0.2") + ",\n  " + entry(MAC_2, HOST_2, "10.1.0.3") + " }\n",
                    StandardCharsets.UTF_8);
            Files.writeString(net2, "{ " + entry(MAC_3, HOST_2, "10.2.0.2") + " }\n", StandardCharsets.UTF_8);
            app1.start(h1);
            app2.start(h2);
            Appliance[] apps = {app1, app2};
            String[] hosts = {HOST_1, HOST_2};
            for (int i = 0; i < 2; i++) {
                Appliance a = apps[i];
                String listen = "vxlan/listen_ip=" + hosts[i];
                a.adm("overlay:create", "-e", "vxlan", "-s", "files", "-v", "100", "-p", listen, "-p", "files/config=" + net1, "-p", "mtu=" + MTU,
                        "net1");
                a.adm("overlay:create", "-e", "vxlan", "-s", "files", "-v", "200", "-p", listen, "-p", "files/config=" + net2, "-p", "mtu=" + MTU,
                        "net2");
                createRouter(a);
                a.adm("router:attach", "r1", "net1", "10.1.0.1/24");
                a.adm("router:attach", "r1", "net2", "10.2.0.1/24");
            }
            app1.adm("vnic:create", "-l", "net1", "-m", MAC_1, "-t", "rbt1", "vm1");
            app2.adm("vnic:create", "-l", "net1", "-m", MAC_2, "-t", "rbt2", "vm2");
            app2.adm("vnic:create", "-l", "net2", "-m", MAC_3, "-t", "rbt3", "vm3");
            tapInto(h1, "rbt1", vm1, "10.1.0.2/24", "10.1.0.1");
            tapInto(h2, "rbt2", vm2, "10.1.0.3/24", "10.1.0.1");
            tapInto(h2, "rbt3", vm3, "10.2.0.2/24", "10.2.0.1");
            Throughput.Result same = meter.measure("appliance same overlay", vm1, vm2, "10.1.0.3", List.of(app1, app2));
            Throughput.Result routed = meter.measure("appliance routed (r1)", vm1, vm3, "10.2.0.2", List.of(app1, app2));
            for (Appliance a : apps) {
                System.out.println(a.adm("router:stats", "r1"));
            }
            return new Throughput.Result[] {same, routed};
        } finally {
            app1.close();
            if (app2 != null) {
                app2.close();
            }
            try (var paths = Files.list(dir)) {
                paths.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    /** The router plugin starts after the appliance's command socket: retries router:create for up to 30 s. */
    private static void createRouter(Appliance a) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                a.adm("router:create", "r1");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static String entry(String mac, String host, String v4) {
        return "\"" + mac + "\": { \"ip\": \"" + host + "\", \"port\": 4789, \"arp\": \"" + v4 + "\" }";
    }

    /** Moves a TAP the appliance made in {@code host} into {@code vm}, with an address and a default route. */
    private static void tapInto(Netns host, String tap, Netns vm, String cidr, String gateway) throws IOException {
        host.exec("ip", "link", "set", tap, "netns", vm.name()).check();
        Throughput.plug(vm, tap, cidr);
        vm.exec("ip", "route", "add", "default", "via", gateway).check();
    }

    /** Same overlay and routed through the kernel: a bridge per VNI on each host, ip_forward on. */
    private Throughput.Result[] kernel() throws Exception {
        try (Netns h1 = Netns.create("rbk1"); Netns h2 = Netns.create("rbk2"); Netns vm1 = Netns.create("rbkv1"); Netns vm2 = Netns.create("rbkv2");
                Netns vm3 = Netns.create("rbkv3")) {
            Throughput.veth(h1, h2, HOST_1, HOST_2);
            // each host's gateway address on each bridge differs (.1 on the VM's own host, .254 on the other), so that a
            // VM's default route leads to its own host, as with r1's distributed gateway, without duplicate addresses
            kernelHost(h1, HOST_1, HOST_2, "10.1.0.1/24", "10.2.0.254/24");
            kernelHost(h2, HOST_2, HOST_1, "10.1.0.254/24", "10.2.0.1/24");
            vethInto(h1, "br100", vm1, "10.1.0.2/24", "10.1.0.1");
            vethInto(h2, "br100", vm2, "10.1.0.3/24", "10.1.0.254");
            vethInto(h2, "br200", vm3, "10.2.0.2/24", "10.2.0.1");
            Throughput.Result same = meter.measure("kernel same overlay", vm1, vm2, "10.1.0.3", List.of());
            Throughput.Result routed = meter.measure("kernel routed (bridges)", vm1, vm3, "10.2.0.2", List.of());
            return new Throughput.Result[] {same, routed};
        }
    }

    private static void kernelHost(Netns h, String local, String remote, String cidr100, String cidr200) throws IOException {
        h.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1").check();
        for (String[] vni : List.of(new String[] {"100", cidr100}, new String[] {"200", cidr200})) {
            String vx = "vx" + vni[0];
            String br = "br" + vni[0];
            h.exec("ip", "link", "add", vx, "type", "vxlan", "id", vni[0], "local", local, "remote", remote, "dstport", "4789").check();
            h.exec("ip", "link", "set", vx, "mtu", MTU).check();
            h.exec("ip", "link", "add", br, "type", "bridge").check();
            h.exec("ip", "link", "set", vx, "master", br).check();
            h.exec("ip", "link", "set", br, "mtu", MTU).check();
            h.exec("ip", "addr", "add", vni[1], "dev", br).check();
            h.exec("ip", "link", "set", vx, "up").check();
            h.exec("ip", "link", "set", br, "up").check();
        }
    }

    /** A veth pair from a bridge of {@code host} into {@code vm}, with an address and a default route there. */
    private static void vethInto(Netns host, String bridge, Netns vm, String cidr, String gateway) throws IOException {
        String root = Netns.uniqueName("rbve");
        String inside = Netns.uniqueName("rbvi"); // unique in the root namespace too, where the pair is made
        vm.addVeth(root, inside); // the root end goes on to the host, into the bridge
        Netns.run("ip", "link", "set", root, "netns", host.name()).check();
        host.exec("ip", "link", "set", root, "mtu", MTU).check();
        host.exec("ip", "link", "set", root, "master", bridge).check();
        host.exec("ip", "link", "set", root, "up").check();
        vm.exec("ip", "link", "set", inside, "mtu", MTU).check();
        Throughput.plug(vm, inside, cidr);
        vm.exec("ip", "route", "add", "default", "via", gateway).check();
    }
}
