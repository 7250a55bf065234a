package org.overlaygate.itests;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.itests.SoakNetwork.Mode;
import org.overlaygate.testsupport.Netns;

/**
 * The soak's traffic, until a deadline: a ping flood (one echo every 10 ms) along a ring of each
 * overlay's VMs and from a katar VM to the roaming one; broadcast ARP from every VM to every other
 * of its overlay (arping, once a second each: the ARP churn the proxies and flooding answer); and
 * iperf3 TCP over the multicast and katar overlays. Each runs as back-to-back segments that end by
 * themselves (ping and arping with a count, iperf3 with a duration), so nothing in flight is ever
 * cut off and a segment's count of lost echoes is exact. Figures are kept per flow.
 */
final class SoakTraffic {
    static final long PING_INTERVAL_MS = 10;
    private static final int PING_SEGMENT = 2000;
    private static final int ARP_SEGMENT = 60;
    private static final int IPERF_SECONDS = 20;
    private static final String IPERF_RATE = "20M";
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)\\] \\d+ bytes from [^:]+: icmp_seq=(\\d+) .*");
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    /** A ping flood from one VM to another's address. */
    static final class PingFlow {
        final String name;
        /** Whether both ends stay put, so every echo crosses cached entries: a loss fails the soak. */
        final boolean cached;
        final Netns from;
        final String to;
        long sent;
        long answered;
        /** When each lost echo was sent (epoch ms, approximately). */
        final List<Long> losses = Collections.synchronizedList(new ArrayList<>());
        /** When each reply came (epoch ms), kept for the roaming VM's flow only. */
        final List<Long> replies;
        volatile String error;

        PingFlow(String name, boolean cached, Netns from, String to) {
            this.name = name;
            this.cached = cached;
            this.from = from;
            this.to = to;
            this.replies = cached ? null : Collections.synchronizedList(new ArrayList<>());
        }

        synchronized long lost() {
            return sent - answered;
        }
    }

    /** Broadcast ARP requests from one VM for another's address. */
    static final class ArpFlow {
        final Mode mode;
        final String name;
        final Netns from;
        final String tap;
        final String to;
        long sent;
        long answered;
        volatile String error;

        ArpFlow(Mode mode, String name, Netns from, String tap, String to) {
            this.mode = mode;
            this.name = name;
            this.from = from;
            this.tap = tap;
            this.to = to;
        }

        synchronized long lost() {
            return Math.max(0, sent - answered);
        }
    }

    /** iperf3 TCP runs, back to back, from one VM to another. */
    static final class IperfFlow {
        final String name;
        final Netns from;
        final Netns server;
        final String to;
        int runs;
        long bytes;
        long retransmits;
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());

        IperfFlow(String name, Netns from, Netns server, String to) {
            this.name = name;
            this.from = from;
            this.server = server;
            this.to = to;
        }
    }

    final List<PingFlow> pings = new ArrayList<>();
    final List<ArpFlow> arps = new ArrayList<>();
    final List<IperfFlow> iperfs = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();

    SoakTraffic(SoakNetwork net) {
        for (Mode m : Mode.values()) {
            Netns[] vms = net.vms[m.ordinal()];
            for (int h = 0; h < m.hosts; h++) {
                int next = (h + 1) % m.hosts;
                if (m.hosts > 2 || h == 0) { // a ring; one flow for a pair
                    pings.add(new PingFlow(m.link + " vm" + h + ">vm" + next, true, vms[h], m.vmIp(next)));
                }
                for (int peer = 0; peer < m.hosts; peer++) {
                    if (peer != h) {
                        arps.add(new ArpFlow(m, m.link + " vm" + h + ">vm" + peer, vms[h], m.tap(h), m.vmIp(peer)));
                    }
                }
            }
        }
        Mode kt = Mode.KATAR;
        pings.add(new PingFlow("kt vm0>roaming", false, net.vms[kt.ordinal()][0], kt.vmIp(SoakNetwork.ROAMING)));
        Mode mc = Mode.MULTICAST;
        iperfs.add(new IperfFlow("mc vm0>vm1", net.vms[mc.ordinal()][0], net.vms[mc.ordinal()][1], mc.vmIp(1)));
        iperfs.add(new IperfFlow("kt vm1>vm2", net.vms[kt.ordinal()][1], net.vms[kt.ordinal()][2], kt.vmIp(2)));
    }

    /** Three echoes along every ping flow, and the iperf3 servers listening: the network works before the soak. */
    void warmUp() throws Exception {
        for (PingFlow f : pings) {
            Netns.Result r = f.from.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", f.to);
            if (r.exitCode != 0) {
                throw new AssertionError("before the soak, " + f.name + " does not go through: " + r);
            }
        }
        for (IperfFlow f : iperfs) {
            File log = File.createTempFile("iperf3-server", ".log");
            log.deleteOnExit();
            f.server.start(log, "iperf3", "-s", "-B", f.to);
            SystemTests.awaitListening(f.server, 5201);
        }
    }

    /** Starts every flow; each ends by itself at {@code endMillis} (epoch ms) or soon after. */
    void start(long endMillis) {
        for (PingFlow f : pings) {
            spawn("soak-ping " + f.name, () -> pingUntil(f, endMillis));
        }
        for (ArpFlow f : arps) {
            spawn("soak-arp " + f.name, () -> arpUntil(f, endMillis));
        }
        for (IperfFlow f : iperfs) {
            spawn("soak-iperf " + f.name, () -> iperfUntil(f, endMillis));
        }
    }

    /** Waits until every flow has finished its last segment. */
    void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(3));
        }
    }

    /** Stops starting segments (after a failure elsewhere); those running end by themselves. */
    void stop() {
        stopped.set(true);
    }

    private interface Body {
        void run() throws Exception;
    }

    private void spawn(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception | Error e) {
                System.err.println(name + ": " + e);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private boolean more(long endMillis, long minimumMillis) {
        return !stopped.get() && endMillis - System.currentTimeMillis() >= minimumMillis;
    }

    // ------------------------------------------------------------------------------------------
    // ping

    private void pingUntil(PingFlow f, long endMillis) throws Exception {
        while (more(endMillis, 1000)) {
            int count = (int) Math.min(PING_SEGMENT, (endMillis - System.currentTimeMillis()) / PING_INTERVAL_MS);
            File log = File.createTempFile("soak-ping", ".log");
            try {
                long started = System.currentTimeMillis();
                Process p = f.from.start(log, "ping", "-n", "-D", "-c", Integer.toString(count), "-i", PING_INTERVAL_MS / 1000.0 + "", "-W", "2",
                        f.to);
                if (!p.waitFor(count * PING_INTERVAL_MS * 3 + 60_000, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    f.error = "a ping segment of " + count + " echoes did not end";
                    return;
                }
                account(f, Files.readAllLines(log.toPath()), started);
            } finally {
                log.delete();
            }
        }
    }

    /** Counts a finished segment: every echo sent and not answered is lost, with the time it was sent. */
    private static void account(PingFlow f, List<String> lines, long started) {
        BitSet answered = new BitSet();
        long[] at = new long[PING_SEGMENT + 2];
        int transmitted = -1;
        int received = 0;
        for (String line : lines) {
            Matcher m = REPLY.matcher(line);
            if (m.matches()) {
                int seq = Integer.parseInt(m.group(3));
                long millis = Long.parseLong(m.group(1)) * 1000 + Long.parseLong((m.group(2) + "000").substring(0, 3));
                if (seq < at.length) {
                    answered.set(seq);
                    at[seq] = millis;
                }
                if (f.replies != null) {
                    f.replies.add(millis);
                }
                continue;
            }
            Matcher s = PING_SUMMARY.matcher(line);
            if (s.find()) {
                transmitted = Integer.parseInt(s.group(1));
                received = Integer.parseInt(s.group(2));
            }
        }
        if (transmitted < 0) {
            f.error = "ping printed no summary: " + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            return;
        }
        long lastSeen = started;
        int lastSeq = 0;
        for (int seq = 1; seq <= transmitted; seq++) {
            if (answered.get(seq)) {
                lastSeen = at[seq];
                lastSeq = seq;
            } else {
                f.losses.add(lastSeen + (seq - lastSeq) * PING_INTERVAL_MS);
            }
        }
        synchronized (f) {
            f.sent += transmitted;
            f.answered += received;
        }
    }

    // ------------------------------------------------------------------------------------------
    // ARP

    private static final Pattern ARP_SENT = Pattern.compile("Sent (\\d+) probes");
    private static final Pattern ARP_RECEIVED = Pattern.compile("Received (\\d+) response");

    /** arping's interval is whole seconds here (iputils 20221126 refuses fractions). */
    private void arpUntil(ArpFlow f, long endMillis) throws Exception {
        while (more(endMillis, 2000)) {
            int count = (int) Math.min(ARP_SEGMENT, (endMillis - System.currentTimeMillis()) / 1000);
            Netns.Result r = f.from.exec((count + 30) * 1000L, "arping", "-b", "-c", Integer.toString(count), "-i", "1", "-I", f.tap, f.to);
            Matcher sent = ARP_SENT.matcher(r.output);
            Matcher received = ARP_RECEIVED.matcher(r.output);
            if (!sent.find() || !received.find()) {
                f.error = "arping: " + r;
                return;
            }
            synchronized (f) {
                f.sent += Long.parseLong(sent.group(1));
                f.answered += Long.parseLong(received.group(1));
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // iperf3

    private static final Pattern SENT_SECTION = Pattern.compile("\"sum_sent\"\\s*:\\s*\\{([^}]*)}");
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([^\"]*)\"");

    private void iperfUntil(IperfFlow f, long endMillis) throws Exception {
        while (more(endMillis, 5000)) {
            long seconds = Math.min(IPERF_SECONDS, (endMillis - System.currentTimeMillis()) / 1000);
            Netns.Result r = f.from.exec((seconds + 60) * 1000, "iperf3", "-c", f.to, "-t", Long.toString(seconds), "-b", IPERF_RATE, "-J",
                    "--connect-timeout", "5000");
            Matcher error = ERROR.matcher(r.output);
            Matcher sent = SENT_SECTION.matcher(r.output);
            boolean failed = r.exitCode != 0 || error.find() || !sent.find();
            synchronized (f) {
                f.runs++;
                if (failed) {
                    f.failures.add(java.time.Instant.now() + ": " + (error.find(0) ? error.group(1) : "exit " + r.exitCode + " " + r.output));
                } else {
                    f.bytes += (long) number(sent.group(1), "bytes");
                    f.retransmits += (long) number(sent.group(1), "retransmits");
                }
            }
            if (failed) {
                Thread.sleep(1000); // not in a spin, should the server be gone
            }
        }
    }

    private static double number(String section, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*([0-9.eE+-]+)").matcher(section);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
