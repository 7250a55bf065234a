package org.overlaygate.itests;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * The soak's network: three hosts, each a namespace running an appliance, and a fourth running the
 * katar server alone ({@code --profile katar}), on one underlay bridge; one overlay per search mode
 * ({@link Mode}) and a VM (a namespace of its own behind a TAP VNIC) per host and overlay, plus a
 * katar VM that moves between hosts. Every VM knows its overlay's other VMs by permanent neighbour
 * entries, so the flows between them depend on the appliances' target caches alone, never on ARP
 * being answered. {@link #close()} removes everything, also after a failure.
 */
final class SoakNetwork implements AutoCloseable {
    /** The overlays, one per search mode, each with its encapsulation, vnet id and VM subnet. */
    enum Mode {
        DIRECT("dr", "nvgre", "direct", 2),
        MULTICAST("mc", "vxlan", "multicast", 3),
        FILES("fl", "geneve", "files", 3),
        KATAR("kt", "vxlan", "katar", 3);

        /** The overlay's name on every appliance; also the prefix of its VNICs and TAPs. */
        final String link;
        final String encap;
        final String search;
        /** How many hosts (0, 1 ...) it spans: point-to-point for direct. */
        final int hosts;

        Mode(String link, String encap, String search, int hosts) {
            this.link = link;
            this.encap = encap;
            this.search = search;
            this.hosts = hosts;
        }

        int vnet() {
            return 7001 + ordinal();
        }

        String vmIp(int vm) {
            return "192.168." + (170 + ordinal()) + "." + (vm + 1);
        }

        String mac(int vm) {
            return String.format(Locale.ROOT, "02:08:20:7%d:00:%02x", ordinal(), vm + 1);
        }

        String tap(int vm) {
            return link + "tap" + vm;
        }
    }

    /** The katar VM that moves: VM index 3 of {@link Mode#KATAR}, starting on host 2. */
    static final int ROAMING = 3;
    static final String ROAMING_TAP = "ktroam";
    private static final String ROAMING_VNIC = "ktroam";
    static final int APPLIANCES = 3;
    private static final long SETTLE_MS = 120_000;

    final String[] underlay = new String[APPLIANCES];
    final String katarAddress;
    final String group;
    private TestHosts hosts;
    final List<Distribution> appliances = new ArrayList<>();
    Distribution katar;
    private Process katarProcess;
    private final List<Netns> namespaces = new ArrayList<>();
    /** vms[mode][host]: the VM of that overlay on that host (null where the overlay does not reach). */
    final Netns[][] vms = new Netns[Mode.values().length][APPLIANCES];
    Netns roamingVm;
    /** Where the roaming VM is now (guarded by this). */
    private int roamingHost = 2;
    /** The plugin jars as built, for making newer builds and putting removed ones back. */
    final Path pristinePlugins;
    final Path work;
    private final PrintStream log;

    private SoakNetwork(PrintStream log) throws Exception {
        this.log = log;
        int net = SystemTests.subnet();
        String prefix = "10.188." + net + ".";
        for (int i = 0; i < APPLIANCES; i++) {
            underlay[i] = prefix + (i + 1);
        }
        katarAddress = prefix + "10";
        group = "239.6." + net + ".1";
        work = Files.createTempDirectory("og-soak");
        pristinePlugins = Files.createDirectories(work.resolve("plugins"));
    }

    /** Builds the whole network and checks that every flow goes through before returning. */
    static SoakNetwork create(PrintStream log) throws Exception {
        SoakNetwork n = new SoakNetwork(log);
        try {
            n.build();
            return n;
        } catch (Exception | Error e) {
            n.close();
            throw e;
        }
    }

    private void build() throws Exception {
        long t0 = System.nanoTime();
        hosts = TestHosts.create("ogsoak", underlay[0] + "/24", underlay[1] + "/24", underlay[2] + "/24", katarAddress + "/24");
        katar = Distribution.copy();
        roamingVm = vm("ogsvktr");
        Path config = katar.home.resolve("etc/config.properties");
        String text = Files.readString(config, StandardCharsets.UTF_8);
        Files.writeString(config, text.replace("\noverlaygate.katar.listen.address=127.0.0.1\n",
                "\noverlaygate.katar.listen.address=" + katarAddress + "\n"));
        startKatar();
        appliances.addAll(hosts.startAppliances(APPLIANCES));
        try (var jars = Files.list(appliances.get(0).home.resolve("plugins.d"))) {
            for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                Files.copy(jar, pristinePlugins.resolve(jar.getFileName()));
            }
        }
        KatarDistributionIT.awaitKatar(katar);
        katar.adm("katar:import", writeKatarMappings().toString());
        Path files = writeFilesConfig();
        for (Mode m : Mode.values()) {
            for (int h = 0; h < m.hosts; h++) {
                createOverlay(m, h, files);
                vms[m.ordinal()][h] = vm("ogsv" + m.link + h);
                plugVm(m, h, h, vms[m.ordinal()][h], m.tap(h), m.link + "vm" + h);
            }
            for (int h = 0; h < m.hosts; h++) {
                for (int peer = 0; peer < m.hosts; peer++) {
                    if (peer != h) {
                        neighbour(vms[m.ordinal()][h], m.tap(h), m, peer);
                    }
                }
            }
        }
        Mode kt = Mode.KATAR;
        plugVm(kt, ROAMING, roamingHost, roamingVm, ROAMING_TAP, ROAMING_VNIC);
        for (int h = 0; h < kt.hosts; h++) {
            neighbour(roamingVm, ROAMING_TAP, kt, h);
            neighbour(vms[kt.ordinal()][h], kt.tap(h), kt, ROAMING);
        }
        for (int i = 0; i < APPLIANCES; i++) {
            if (!awaitOnline(i, SETTLE_MS)) {
                throw new AssertionError("before the soak, host " + i + "'s overlays are not all ONLINE: "
                        + appliances.get(i).call("overlay:show", "-f").out);
            }
        }
        int overlays = java.util.Arrays.stream(Mode.values()).mapToInt(m -> m.hosts).sum();
        log.printf(Locale.ROOT, "soak: network up in %.1f s: 3 appliances, the katar server at %s, %d overlays, %d VMs%n",
                (System.nanoTime() - t0) / 1e9, katarAddress, overlays, overlays + 1); // a VM per overlay, and the roaming one
    }

    private Netns vm(String prefix) throws IOException {
        Netns ns = TestNetwork.quiet(prefix);
        namespaces.add(ns);
        return ns;
    }

    private void createOverlay(Mode m, int h, Path files) throws Exception {
        List<String> args = new ArrayList<>(List.of("overlay:create", "-e", m.encap, "-s", m.search));
        if (m == Mode.KATAR) {
            args.addAll(List.of("-i", "shootdown"));
        }
        args.addAll(List.of("-v", Integer.toString(m.vnet()), "-p", m.encap + "/listen_ip=" + underlay[h]));
        switch (m) {
            case DIRECT:
                args.addAll(List.of("-p", "direct/dest_ip=" + underlay[1 - h]));
                break;
            case MULTICAST:
                args.addAll(List.of("-p", "multicast/group=" + group, "-p", "multicast/interface=" + TestNetwork.UNDERLAY));
                break;
            case FILES:
                args.addAll(List.of("-p", "files/config=" + files));
                break;
            default:
                args.addAll(List.of("-p", "katar/host=" + katarAddress));
        }
        args.add(m.link);
        must(appliances.get(h), args.toArray(new String[0]));
    }

    /** A VNIC with the VM's MAC on {@code host}, its TAP moved into {@code vm} with the VM's address. */
    private void plugVm(Mode m, int vmIndex, int host, Netns vm, String tap, String vnic) throws Exception {
        must(appliances.get(host), "vnic:create", "-l", m.link, "-m", m.mac(vmIndex), "-t", tap, vnic);
        TestNetwork.plug(hosts.host(host), tap, vm, m.vmIp(vmIndex) + "/24");
    }

    private static void neighbour(Netns vm, String tap, Mode m, int peer) throws IOException {
        vm.exec("ip", "neigh", "replace", m.vmIp(peer), "lladdr", m.mac(peer), "dev", tap, "nud", "permanent").check();
    }

    private Path writeFilesConfig() throws IOException {
        Mode m = Mode.FILES;
        StringBuilder json = new StringBuilder("{\n");
        for (int h = 0; h < m.hosts; h++) {
            json.append(String.format(Locale.ROOT, "  \"%s\": { \"ip\": \"%s\", \"port\": 6081, \"arp\": \"%s\" }%s%n", m.mac(h), underlay[h],
                    m.vmIp(h), h + 1 < m.hosts ? "," : ""));
        }
        return Files.writeString(work.resolve("files.json"), json.append("}\n"));
    }

    private Path writeKatarMappings() throws IOException {
        Mode m = Mode.KATAR;
        StringBuilder hostsJson = new StringBuilder();
        StringBuilder mappings = new StringBuilder();
        for (int h = 0; h < APPLIANCES; h++) {
            hostsJson.append(h == 0 ? "" : ",").append("{\"id\":\"cn").append(h + 1).append("\",\"ip\":\"").append(underlay[h]).append("\"}");
        }
        for (int vm = 0; vm <= ROAMING; vm++) {
            int host = vm == ROAMING ? roamingHost : vm;
            mappings.append(vm == 0 ? "" : ",").append("{\"vnet\":").append(m.vnet()).append(",\"mac\":\"").append(m.mac(vm))
                    .append("\",\"host\":\"cn").append(host + 1).append("\",\"ips\":[\"").append(m.vmIp(vm)).append("\"]}");
        }
        return Files.writeString(work.resolve("katar.json"), "{\"vnets\":[{\"id\":" + m.vnet() + ",\"name\":\"soak\"}],\"hosts\":["
                + hostsJson + "],\"mappings\":[" + mappings + "]}");
    }

    // ------------------------------------------------------------------------------------------
    // the katar server

    void startKatar() throws IOException {
        katarProcess = katar.startIn(hosts.host(APPLIANCES), "--profile", "katar");
    }

    /** Stops the katar server (SIGTERM) and starts it again on the same data; returns when it answers. */
    void restartKatar() throws Exception {
        katar.stop(katarProcess);
        startKatar();
        KatarDistributionIT.awaitKatar(katar);
    }

    // ------------------------------------------------------------------------------------------
    // the roaming VM

    synchronized int roamingHost() {
        return roamingHost;
    }

    /**
     * Moves the roaming VM to {@code to} as an orchestrator would: the katar server first
     * ({@code katar:map-move}), then its VNIC deleted on the old host and made on the new one, its TAP
     * moved into the VM, and a gratuitous ARP from the VM. Commands that find their appliance or the
     * server busy being replaced are retried.
     */
    synchronized void moveRoamingVm(int to) throws Exception {
        Mode kt = Mode.KATAR;
        retry(katar, "katar:map-move", Integer.toString(kt.vnet()), kt.mac(ROAMING), "cn" + (to + 1));
        retry(appliances.get(roamingHost), "vnic:delete", ROAMING_VNIC);
        retry(appliances.get(to), "vnic:create", "-l", kt.link, "-m", kt.mac(ROAMING), "-t", ROAMING_TAP, ROAMING_VNIC);
        TestNetwork.plug(hosts.host(to), ROAMING_TAP, roamingVm, kt.vmIp(ROAMING) + "/24");
        for (int h = 0; h < kt.hosts; h++) {
            neighbour(roamingVm, ROAMING_TAP, kt, h);
        }
        roamingVm.exec("arping", "-U", "-c", "1", "-I", ROAMING_TAP, kt.vmIp(ROAMING)); // what a hypervisor sends after a move
        roamingHost = to;
    }

    // ------------------------------------------------------------------------------------------
    // commands

    /** Runs a command in an appliance (in this JVM) and fails with its output unless it succeeds. */
    static String must(Distribution d, String... args) throws Exception {
        Distribution.Result r = d.call(args);
        if (r.status != 0) {
            throw new AssertionError("overlayadm " + String.join(" ", args) + ": " + r);
        }
        return r.out;
    }

    /** Runs a command until it succeeds (its bundle may be being replaced), for up to two minutes. */
    static String retry(Distribution d, String... args) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        Distribution.Result r;
        do {
            r = d.call(args);
            if (r.status == 0) {
                return r.out;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("overlayadm " + String.join(" ", args) + " did not succeed within " + SETTLE_MS + " ms: " + r);
    }

    /** Every overlay's status on appliance {@code i}, or null when the appliance cannot say now. */
    java.util.Map<String, String> statuses(int i) throws Exception {
        Distribution.Result r = appliances.get(i).call("overlay:show", "-f", "-p", "-o", "link,status");
        if (r.status != 0) {
            return null;
        }
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (String line : r.out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    /** The overlays appliance {@code i} carries. */
    List<String> overlaysOf(int i) {
        List<String> out = new ArrayList<>();
        for (Mode m : Mode.values()) {
            if (i < m.hosts) {
                out.add(m.link);
            }
        }
        return out;
    }

    /** Waits until every overlay of appliance {@code i} is ONLINE; false after {@code timeoutMs}. */
    boolean awaitOnline(int i, long timeoutMs) throws Exception {
        return awaitOnline(i, overlaysOf(i), timeoutMs);
    }

    boolean awaitOnline(int i, List<String> links, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        do {
            java.util.Map<String, String> s = statuses(i);
            if (s != null && links.stream().allMatch(l -> "ONLINE".equals(s.get(l)))) {
                return true;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** The pid of an appliance's JVM (its pid file). */
    static long pid(Distribution d) throws IOException {
        return Long.parseLong(Files.readString(d.pidFile()).trim());
    }

    @Override
    public void close() {
        for (Netns ns : namespaces) {
            ns.close();
        }
        try {
            if (katar != null) {
                katar.close();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("soak cleanup: " + e);
        }
        try {
            if (hosts != null) {
                hosts.close();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("soak cleanup: " + e);
        }
        try {
            DistributionCopy.delete(work);
        } catch (IOException | RuntimeException e) {
            System.err.println("soak cleanup: " + e);
        }
    }
}
