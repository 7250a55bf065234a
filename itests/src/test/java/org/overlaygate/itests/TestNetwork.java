package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * A test network of namespaces: hosts cabled by veth pairs (each host its own underlay, an
 * appliance started in it with {@link Distribution#startIn}), VMs behind TAP VNICs moved out of
 * their host, tshark capturing inside a host, and the counters and ping summaries the tests read.
 * Everything lives in the tests' own namespaces, so fixed names and addresses cannot collide with
 * another test's, and goes with them.
 */
final class TestNetwork {
    /** The underlay link of every host. */
    static final String UNDERLAY = "ul0";

    private TestNetwork() {
    }

    /** Joins two hosts by a veth pair named {@link #UNDERLAY} at both ends, with these addresses (/24) and any extra ones of b's. */
    static void cable(Netns a, String addressA, Netns b, String addressB, String... moreOfB) throws IOException {
        Netns.run("ip", "link", "add", UNDERLAY, "netns", a.name(), "type", "veth", "peer", "name", UNDERLAY, "netns", b.name()).check();
        a.exec("ip", "addr", "add", addressA + "/24", "dev", UNDERLAY).check();
        b.exec("ip", "addr", "add", addressB + "/24", "dev", UNDERLAY).check();
        for (String extra : moreOfB) {
            b.exec("ip", "addr", "add", extra + "/24", "dev", UNDERLAY).check();
        }
        a.exec("ip", "link", "set", UNDERLAY, "up").check();
        b.exec("ip", "link", "set", UNDERLAY, "up").check();
    }

    /**
     * A host or a VM: a namespace without IPv6, so that only the traffic a test makes crosses the
     * overlay (a TAP device made in a host and brought up there would otherwise send neighbour
     * discovery and MLD before it is moved to its VM).
     */
    static Netns quiet(String prefix) throws IOException {
        Netns ns = Netns.create(prefix);
        try {
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1").check();
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1").check();
            return ns;
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** Moves the TAP device an appliance made in {@code host} into {@code vm} and gives it an address. */
    static void plug(Netns host, String tap, Netns vm, String cidr) throws IOException {
        host.exec("ip", "link", "set", tap, "netns", vm.name()).check();
        vm.exec("ip", "addr", "add", cidr, "dev", tap).check();
        vm.exec("ip", "link", "set", tap, "up").check();
    }

    /**
     * A count of {@code overlay:stats} (the whole appliance): the drops of {@code reason} on the
     * row whose name starts with {@code link}, 0 when there is no such row.
     */
    static long drops(Distribution dist, String link, String reason) throws Exception {
        return drops(dist, link, reason, null);
    }

    /** The same, from {@code overlay:stats NAME} (one overlay's view) when {@code name} is not null. */
    static long drops(Distribution dist, String link, String reason, String name) throws Exception {
        Pattern row = Pattern.compile("^" + Pattern.quote(link) + ".*\\s" + Pattern.quote(reason) + "\\s+(\\d+)\\s*$");
        String stats = name == null ? dist.adm("overlay:stats") : dist.adm("overlay:stats", name);
        for (String line : stats.split("\n")) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }

    /** A column of an overlay's row of the first {@code overlay:stats NAME} table (HITS, MISSES ...). */
    static long linkCounter(Distribution dist, String link, String column) throws Exception {
        String[] lines = dist.adm("overlay:stats", link).split("\n");
        List<String> header = List.of(lines[0].trim().split("\\s+"));
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(link)) {
                return Long.parseLong(f[header.indexOf(column)]);
            }
        }
        throw new AssertionError("no row " + link + " in overlay:stats " + link);
    }

    /** A column of a VNIC's row of the {@code overlay:stats} VNIC table (IPKTS: frames from its VM, OPKTS: frames to it ...). */
    static long vnicCounter(Distribution dist, String vnic, String column) throws Exception {
        List<String> header = null;
        for (String line : dist.adm("overlay:stats").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("VNIC")) {
                header = List.of(f);
            } else if (header != null && f[0].equals(vnic)) {
                return Long.parseLong(f[header.indexOf(column)]);
            }
        }
        throw new AssertionError("no VNIC " + vnic + " in overlay:stats");
    }

    /** An event count of {@code overlay:stats NAME} (moved, invalidated ...), 0 when never counted. */
    static long event(Distribution dist, String link, String event) throws Exception {
        for (String line : dist.adm("overlay:stats", link).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals(link) && f[1].equals(event)) {
                return Long.parseLong(f[2]);
            }
        }
        return 0;
    }

    /** A ping left running in a VM, stopped as an operator stops one (SIGINT: it prints its summary). */
    static final class Ping {
        private final Process process;
        private final File log;

        private Ping(Process process, File log) {
            this.process = process;
            this.log = log;
        }

        static Ping start(Netns vm, String address, double interval) throws IOException {
            File log = File.createTempFile("ping", ".log");
            log.deleteOnExit();
            return new Ping(vm.start(log, "ping", "-n", "-i", Double.toString(interval), "-W", "1", address), log);
        }

        /** Replies so far (lines "64 bytes from"). */
        int replies() throws IOException {
            return (int) Files.readString(log.toPath()).lines().filter(l -> l.contains("bytes from")).count();
        }

        /** Stops it and returns what it printed. */
        PingLog stop() throws Exception {
            Netns.run("kill", "-INT", Long.toString(process.pid())).check(); // ip netns exec execs ping: the same pid
            assertTrue("ping ends on SIGINT", process.waitFor(10, TimeUnit.SECONDS));
            String out = Files.readString(log.toPath());
            log.delete();
            return PingLog.parse(out);
        }
    }

    /**
     * Six pings each way between two VMs while tshark on {@code host}'s underlay captures the first
     * {@code packets} packets of {@code filter}; returns those that dissect as {@code protocol},
     * with the fields asked for (the first must be {@code ip.src}, the last {@code icmp.type}, as
     * {@link #assertEchoesBothWays} reads them).
     */
    static List<String> pingBothWaysCapturing(Netns host, String filter, int packets, String protocol, Netns a, String ipA, Netns b,
            String ipB, String... fields) throws Exception {
        try (Capture capture = Capture.start(host, UNDERLAY, filter, packets)) {
            Netns.Result there = a.exec("ping", "-c", "6", "-i", "0.2", "-W", "2", ipB);
            assertTrue(ipA + " -> " + ipB + ": " + there, there.exitCode == 0);
            Netns.Result back = b.exec("ping", "-c", "6", "-i", "0.2", "-W", "2", ipA);
            assertTrue(ipB + " -> " + ipA + ": " + back, back.exitCode == 0);
            capture.awaitDone(30);
            return capture.decode(protocol, fields);
        }
    }

    /**
     * {@code count} decoded rows whose fields after ip.src are geneve.version, geneve.proto_type and
     * geneve.vni: version 0, Ethernet (0x6558), the VNI.
     */
    static void assertGeneveRows(List<String> rows, int count, long vni) {
        assertEquals(rows.toString(), count, rows.size());
        for (String row : rows) {
            String[] f = row.split(",", -1);
            assertEquals("version 0 in " + row, "0", f[1]);
            assertEquals("Ethernet payload in " + row, "0x6558", f[2]);
            assertEquals("VNI in " + row, vni, (long) Long.decode(f[3]));
        }
    }

    /** Decoded rows (ip.src first, icmp.type last) hold inner ICMP echoes sent from each outer and inner address pair. */
    static void assertEchoesBothWays(List<String> rows, String outerA, String innerA, String outerB, String innerB) {
        List<String> icmp = new ArrayList<>();
        rows.stream().filter(r -> r.matches(".*,[08]$")).forEach(icmp::add);
        assertTrue("inner ICMP echoes both ways: " + rows, icmp.stream().anyMatch(r -> r.startsWith(outerA + ";" + innerA + ","))
                && icmp.stream().anyMatch(r -> r.startsWith(outerB + ";" + innerB + ",")));
    }

    /** tshark writing a capture, inside a host namespace, until it has {@code count} packets. */
    static final class Capture implements AutoCloseable {
        private final Process process;
        private final File log;
        final File pcap;

        private Capture(Process process, File log, File pcap) {
            this.process = process;
            this.log = log;
            this.pcap = pcap;
        }

        static Capture start(Netns host, String iface, String filter, int count) throws Exception {
            File pcap = File.createTempFile("capture", ".pcap");
            pcap.delete();
            File log = File.createTempFile("tshark", ".log");
            Process p = host.start(log, "tshark", "-i", iface, "-f", filter, "-c", Integer.toString(count), "-w", pcap.getPath());
            Capture c = new Capture(p, log, pcap);
            Await.until("tshark to capture: " + log, 20_000, Await.check(() -> Files.readString(log.toPath()).contains("Capturing on")));
            return c;
        }

        /** Waits until it has its packets and has ended. */
        void awaitDone(long seconds) throws Exception {
            assertTrue("tshark did not capture its packets within " + seconds + " s: " + Files.readString(log.toPath()),
                    process.waitFor(seconds, TimeUnit.SECONDS) && pcap.length() > 0);
        }

        /** The captured packets that match a display filter, as the named fields separated by ','. */
        List<String> decode(String displayFilter, String... fields) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.getPath(), "-Y", displayFilter, "-T", "fields", "-E", "separator=,",
                    "-E", "aggregator=;", "-E", "occurrence=a"));
            for (String f : fields) {
                cmd.add("-e");
                cmd.add(f);
            }
            Netns.Result r = Netns.run(cmd.toArray(new String[0])).check();
            List<String> rows = new ArrayList<>();
            r.output.lines().filter(l -> !l.isBlank() && !l.startsWith("Running as user")).forEach(rows::add);
            return rows;
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            log.delete();
            pcap.delete();
        }
    }
}
