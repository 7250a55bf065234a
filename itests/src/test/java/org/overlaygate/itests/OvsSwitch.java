package org.overlaygate.itests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * Open vSwitch's userspace datapath (Debian's {@code openvswitch-switch}), started by a test
 * inside one of its namespaces and gone with {@link #close()}: a database made with
 * {@code ovsdb-tool}, {@code ovsdb-server} and {@code ovs-vswitchd --disable-system} (no kernel
 * module, so no {@code ovs-ctl}, which insists on it), every socket, database, log and pid in a
 * private directory, so that nothing is shared with a system OVS or another test. Bridges are
 * {@code datapath_type=netdev}: their ports are read and written through AF_PACKET.
 */
final class OvsSwitch implements AutoCloseable {
    /** The tools it needs, for {@link SystemTests#assumeSystem}. */
    static final String[] TOOLS = {"ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"};
    private static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";

    private final Netns ns;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    private OvsSwitch(Netns ns, Path dir) {
        this.ns = ns;
        this.dir = dir;
    }

    /** Starts the database server and the switch inside {@code ns}, and waits until the switch answers. */
    static OvsSwitch start(Netns ns) throws Exception {
        OvsSwitch ovs = new OvsSwitch(ns, Files.createTempDirectory("og-ovs"));
        try {
            Netns.run("ovsdb-tool", "create", ovs.path("conf.db"), SCHEMA).check();
            ovs.spawn("ovsdb-server", ovs.path("conf.db"), "--remote=punix:" + ovs.path("db.sock"), "--unixctl=" + ovs.path("ovsdb-server.ctl"),
                    "--log-file=" + ovs.path("ovsdb-server.log"), "--no-chdir");
            Await.until("ovsdb-server to answer", 20_000,
                    Await.check(() -> Netns.run("ovs-vsctl", "--db=unix:" + ovs.path("db.sock"), "--timeout=2", "--no-wait", "init").exitCode == 0));
            ovs.spawn("ovs-vswitchd", "unix:" + ovs.path("db.sock"), "--disable-system", "--unixctl=" + ovs.path("ovs-vswitchd.ctl"),
                    "--log-file=" + ovs.path("ovs-vswitchd.log"), "--no-chdir");
            Await.until("ovs-vswitchd to answer", 20_000,
                    Await.check(() -> Netns.run("ovs-appctl", "-t", ovs.path("ovs-vswitchd.ctl"), "version").exitCode == 0));
            return ovs;
        } catch (Exception | Error e) {
            ovs.close();
            throw e;
        }
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    /** Starts one daemon in the namespace, in the foreground (so the test owns its process), with the private directory as OVS's run directory. */
    private void spawn(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "OVS_RUNDIR=" + dir, "OVS_DBDIR=" + dir, "OVS_LOGDIR=" + dir, "OVS_SYSCONFDIR=" + dir));
        cmd.addAll(List.of(command));
        File log = dir.resolve(command[0] + ".out").toFile();
        processes.add(ns.start(log, cmd.toArray(new String[0])));
    }

    /** {@code ovs-vsctl ARGS} against this switch's database, waiting (up to 20 s) for the switch to apply it. */
    String vsctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + path("db.sock"), "--timeout=20"));
        cmd.addAll(List.of(args));
        return Netns.run(30_000, cmd.toArray(new String[0])).check().output;
    }

    /** {@code ovs-ofctl COMMAND BRIDGE ARGS} through the bridge's management socket in the private directory. */
    String ofctl(String command, String bridge, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-ofctl", command, "unix:" + path(bridge + ".mgmt")));
        cmd.addAll(List.of(args));
        return Netns.run(cmd.toArray(new String[0])).check().output;
    }

    /** A netdev bridge (userspace datapath) with these ports, each added as it is (an existing device, through AF_PACKET). */
    void addBridge(String bridge, String... ports) throws IOException {
        vsctl("add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev");
        for (String port : ports) {
            vsctl("add-port", bridge, port);
        }
    }

    /** A tunnel port ({@code geneve}, {@code vxlan}) on a bridge, to {@code remote} with the VNI as its key. */
    void addTunnel(String bridge, String port, String type, String remote, int vni) throws IOException {
        vsctl("add-port", bridge, port, "--", "set", "interface", port, "type=" + type, "options:remote_ip=" + remote, "options:key=" + vni);
    }

    /** A coverage counter of ovs-vswitchd (its drop reasons among them): the total so far. */
    long coverage(String counter) throws IOException {
        Netns.Result r = Netns.run("ovs-appctl", "-t", path("ovs-vswitchd.ctl"), "coverage/read-counter", counter).check();
        return Long.parseLong(r.output.trim());
    }

    /** The packets an OpenFlow rule of the bridge matched, found by a piece of its text ({@code tun_metadata0=0xa}). */
    long flowPackets(String bridge, String rule) throws IOException {
        for (String line : ofctl("dump-flows", bridge).split("\n")) {
            if (line.contains(rule)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("n_packets=(\\d+)").matcher(line);
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
        throw new AssertionError("no flow with '" + rule + "' on " + bridge + ":\n" + ofctl("dump-flows", bridge));
    }

    /** The switch's log, for a failing test's message. */
    String log() {
        try {
            return Files.readString(dir.resolve("ovs-vswitchd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops both daemons (SIGTERM, then SIGKILL after 5 s) and deletes the directory. Never throws. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        processes.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
