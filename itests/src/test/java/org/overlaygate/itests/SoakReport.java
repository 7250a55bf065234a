package org.overlaygate.itests;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.overlaygate.itests.SoakDisturbances.Disturbance;
import org.overlaygate.itests.SoakDisturbances.Kind;
import org.overlaygate.itests.SoakDisturbances.Move;
import org.overlaygate.itests.SoakNetwork.Mode;
import org.overlaygate.itests.SoakTraffic.ArpFlow;
import org.overlaygate.itests.SoakTraffic.IperfFlow;
import org.overlaygate.itests.SoakTraffic.PingFlow;

/**
 * The soak's figures and checks: what it printed, and which checks failed (none, or the soak failed).
 * The checks: no echo lost on a flow between VMs that stay put (cached flows); no broadcast ARP
 * request lost where the core alone carries it (direct and multicast overlays); no iperf3 run
 * broken; no PENDING entry older than 5 s whose lookup had been up for the last 5 s; no upcall
 * dropped; every disturbance settled (its overlays ONLINE again); the moved VM answering again
 * within a minute of each move; the appliances' live heap, metaspace and threads flat.
 */
final class SoakReport {
    /** How far the live heap or metaspace may grow and still be flat: a quarter, and at least this much. */
    static final long FLAT_KB = 16 * 1024;
    /** How many more Java threads still count as flat (pools that grow and shrink with load). */
    static final int FLAT_THREADS = 5;
    static final long ANSWERED_AGAIN_MS = 60_000;

    private final List<String> failures = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();

    List<String> failures() {
        return failures;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    private void line(String format, Object... args) {
        text.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private void check(String what, long value, boolean ok, String detail) {
        line("CHECK %-68s %10d  %s", what, value, ok ? "ok" : "FAILED");
        if (!ok) {
            failures.add(what + ": " + value + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
    }

    SoakReport(long seed, long start, long end, SoakTraffic traffic, SoakDisturbances disturbances, SoakMonitor monitor,
            SoakMonitor.Counters before, SoakMonitor.Counters after, Map<String, SoakMonitor.Jvm> jvmStart, Map<String, SoakMonitor.Jvm> jvmEnd,
            List<String> died) {
        line("soak: %.1f minutes of traffic (seed %d), %d monitor samples", (end - start) / 60000.0, seed, monitor.samples);
        traffic(traffic, start);
        disturbances(disturbances);
        roaming(traffic, disturbances, end);
        pending(monitor);
        counters(before, after);
        jvms(jvmStart, jvmEnd);
        check("soak threads that died (traffic stopped early)", died.size(), died.isEmpty(), String.join("; ", died));
        line("");
        line("soak: %s", failures.isEmpty() ? "every check passed" : failures.size() + " check(s) FAILED: " + String.join("; ", failures));
    }

    // ------------------------------------------------------------------------------------------

    private void traffic(SoakTraffic traffic, long start) {
        line("");
        line("%-22s %10s %10s %8s  %s", "PING FLOW (10 ms)", "SENT", "ANSWERED", "LOST", "lost at (s into the soak)");
        long cachedLost = 0;
        List<String> broken = new ArrayList<>();
        for (PingFlow f : traffic.pings) {
            List<String> when = new ArrayList<>();
            synchronized (f.losses) {
                for (Long t : f.losses) {
                    if (when.size() < 12) {
                        when.add(String.format(Locale.ROOT, "%.1f", (t - start) / 1000.0));
                    }
                }
            }
            line("%-22s %10d %10d %8d  %s%s", f.name + (f.cached ? "" : " (moves)"), f.sent, f.answered, f.lost(),
                    String.join(" ", when), f.losses.size() > when.size() ? " ..." : "");
            cachedLost += f.cached ? f.lost() : 0;
            if (f.error != null) {
                broken.add(f.name + ": " + f.error);
            }
        }
        line("");
        line("%-22s %10s %10s %8s", "ARP FLOW (1/s, bcast)", "SENT", "ANSWERED", "LOST");
        Map<Mode, long[]> arpByMode = new TreeMap<>();
        for (ArpFlow f : traffic.arps) {
            long[] t = arpByMode.computeIfAbsent(f.mode, m -> new long[3]);
            t[0] += f.sent;
            t[1] += f.answered;
            t[2] += f.lost();
            if (f.error != null) {
                broken.add(f.name + ": " + f.error);
            }
        }
        long coreArpLost = 0;
        for (Map.Entry<Mode, long[]> e : arpByMode.entrySet()) {
            Mode m = e.getKey();
            long[] t = e.getValue();
            line("%-22s %10d %10d %8d  %s", m.link + " (" + m.search + ")", t[0], t[1], t[2],
                    m == Mode.DIRECT || m == Mode.MULTICAST ? "carried by the core" : "answered by the plugin's proxy");
            coreArpLost += m == Mode.DIRECT || m == Mode.MULTICAST ? t[2] : 0;
        }
        line("");
        line("%-22s %10s %10s %12s %8s", "IPERF3 TCP (20 Mbit/s)", "RUNS", "FAILED", "MB", "RETRANS");
        long failedRuns = 0;
        List<String> iperfFailures = new ArrayList<>();
        for (IperfFlow f : traffic.iperfs) {
            line("%-22s %10d %10d %12.1f %8d", f.name, f.runs, f.failures.size(), f.bytes / 1e6, f.retransmits);
            failedRuns += f.failures.size();
            iperfFailures.addAll(f.failures);
        }
        line("");
        check("frames lost on cached flows (ping echoes unanswered)", cachedLost, cachedLost == 0, "");
        check("broadcast ARP requests lost on the direct and multicast overlays", coreArpLost, coreArpLost == 0, "");
        check("iperf3 runs that failed", failedRuns, failedRuns == 0, String.join("; ", iperfFailures));
        check("flows that could not be measured", broken.size(), broken.isEmpty(), String.join("; ", broken));
    }

    private void disturbances(SoakDisturbances d) {
        line("");
        line("%-34s %6s %14s %14s", "DISTURBANCE", "COUNT", "SETTLED MAX s", "MEDIAN s");
        List<Disturbance> all;
        synchronized (d.done) {
            all = new ArrayList<>(d.done);
        }
        List<String> unsettled = new ArrayList<>();
        for (Kind k : Kind.values()) {
            List<Long> took = new ArrayList<>();
            for (Disturbance x : all) {
                if (x.kind == k) {
                    took.add(x.settled - x.began);
                    if (x.failure != null) {
                        unsettled.add(k.title + " (" + x.detail + "): " + x.failure);
                    }
                }
            }
            Collections.sort(took);
            line("%-34s %6d %14.1f %14.1f", k.title, took.size(), took.isEmpty() ? 0 : took.get(took.size() - 1) / 1000.0,
                    took.isEmpty() ? 0 : took.get(took.size() / 2) / 1000.0);
        }
        check("disturbances after which the overlays were not ONLINE again", unsettled.size(), unsettled.isEmpty(), String.join("; ", unsettled));
    }

    private void roaming(SoakTraffic traffic, SoakDisturbances d, long end) {
        PingFlow roaming = traffic.pings.stream().filter(f -> !f.cached).findFirst().orElseThrow();
        List<Long> replies;
        synchronized (roaming.replies) {
            replies = new ArrayList<>(roaming.replies);
        }
        Collections.sort(replies);
        List<Move> moves;
        synchronized (d.moves) {
            moves = new ArrayList<>(d.moves);
        }
        line("");
        line("%-24s %12s %16s", "ROAMING VM MOVE", "MOVE s", "OUTAGE s");
        List<String> unanswered = new ArrayList<>();
        List<Long> outages = new ArrayList<>();
        for (Move m : moves) {
            if (m.failure != null) {
                unanswered.add("host " + m.from + " to " + m.to + ": the move failed: " + m.failure);
                line("%-24s %12s %16s", "host " + m.from + " > " + m.to, "failed", "-");
                continue;
            }
            Long again = firstAfter(replies, m.plugged);
            long outage = again == null ? -1 : longestGap(replies, m.began, again);
            line("%-24s %12.1f %16s", "host " + m.from + " > " + m.to, (m.plugged - m.began) / 1000.0,
                    again == null ? "not answered" : String.format(Locale.ROOT, "%.2f", outage / 1000.0));
            if (again == null ? end - m.plugged >= ANSWERED_AGAIN_MS : again - m.plugged > ANSWERED_AGAIN_MS) {
                unanswered.add("host " + m.from + " to " + m.to + (again == null ? ": never answered again" : ": answered "
                        + (again - m.plugged) / 1000 + " s after its VNIC was up"));
            }
            if (again != null) {
                outages.add(outage);
            }
        }
        Collections.sort(outages);
        if (!outages.isEmpty()) {
            line("outage of the moved VM (longest gap between replies to the 10 ms pings): median %.2f s, max %.2f s",
                    outages.get(outages.size() / 2) / 1000.0, outages.get(outages.size() - 1) / 1000.0);
        }
        check("moves after which the VM did not answer again within 60 s", unanswered.size(), unanswered.isEmpty(),
                String.join("; ", unanswered));
    }

    private static Long firstAfter(List<Long> sorted, long t) {
        for (Long x : sorted) {
            if (x >= t) {
                return x;
            }
        }
        return null;
    }

    private static long longestGap(List<Long> sorted, long from, long to) {
        long longest = 0;
        Long previous = null;
        for (Long x : sorted) {
            if (x > to) {
                break;
            }
            if (previous != null && x >= from) {
                longest = Math.max(longest, x - previous);
            }
            previous = x;
        }
        return longest;
    }

    private void pending(SoakMonitor monitor) {
        line("");
        List<SoakMonitor.OldPending> all;
        synchronized (monitor.oldPending) {
            all = new ArrayList<>(monitor.oldPending.values());
        }
        List<String> stuck = new ArrayList<>();
        for (SoakMonitor.OldPending p : all) {
            line("pending > 5 s: %s", p);
            if (p.lookupUp) {
                stuck.add(p.toString());
            }
        }
        line("PENDING entries older than 5 s: %d in all (%d while the overlay's lookup was away); oldest PENDING seen %.1f s", all.size(),
                all.size() - stuck.size(), monitor.maxPendingAgeMillis / 1000.0);
        check("PENDING entries older than 5 s with their lookup up for the last 5 s", stuck.size(), stuck.isEmpty(), String.join("; ", stuck));
    }

    private void counters(SoakMonitor.Counters before, SoakMonitor.Counters after) {
        line("");
        line("%-50s %12s", "DROPS DURING THE SOAK (host, link, reason)", "COUNT");
        Map<String, Long> byReason = new TreeMap<>();
        for (String key : new TreeSet<>(after.drops.keySet())) {
            long n = after.drops.get(key) - before.drops.getOrDefault(key, 0L);
            if (n > 0) {
                line("%-50s %12d", key, n);
                byReason.merge(key.substring(key.lastIndexOf(' ') + 1), n, Long::sum);
            }
        }
        line("drops by reason, all hosts: %s", byReason.isEmpty() ? "none" : byReason);
        line("");
        line("%-50s %12s", "EVENTS DURING THE SOAK (host, link, event)", "COUNT");
        long upcallsDropped = 0;
        Map<String, Long> dropped = new TreeMap<>();
        for (String key : new TreeSet<>(after.events.keySet())) {
            String event = key.substring(key.lastIndexOf(' ') + 1);
            if (event.contains("/")) {
                continue; // a search plugin's own counters start again with each instance
            }
            long n = after.events.get(key) - before.events.getOrDefault(key, 0L);
            if (n > 0) {
                line("%-50s %12d", key, n);
            }
            if (event.startsWith("upcall_dropped_") && n > 0) {
                upcallsDropped += n;
                dropped.merge(event, n, Long::sum);
            }
        }
        check("upcalls dropped (upcall_dropped_* of overlay:stats)", upcallsDropped, upcallsDropped == 0, dropped.toString());
    }

    private void jvms(Map<String, SoakMonitor.Jvm> start, Map<String, SoakMonitor.Jvm> end) {
        line("");
        line("%-16s %12s %12s %12s %12s %9s %9s", "JVM", "HEAP KB", "AT END", "METASPACE KB", "AT END", "THREADS", "AT END");
        for (String name : start.keySet()) {
            SoakMonitor.Jvm a = start.get(name);
            SoakMonitor.Jvm b = end.get(name);
            line("%-16s %12d %12d %12d %12d %9d %9d", name, a.heapKb, b.heapKb, a.metaspaceKb, b.metaspaceKb, a.threadCount(), b.threadCount());
            if (!name.startsWith("host")) {
                continue; // the katar server was restarted: its start and end are two JVMs
            }
            check(name + ": live heap growth (KB)", b.heapKb - a.heapKb, flat(a.heapKb, b.heapKb), "");
            check(name + ": metaspace growth (KB)", b.metaspaceKb - a.metaspaceKb, flat(a.metaspaceKb, b.metaspaceKb), "");
            List<String> grew = new ArrayList<>();
            b.threads.forEach((thread, n) -> {
                int was = a.threads.getOrDefault(thread, 0);
                if (n > was) {
                    grew.add(thread + " " + was + ">" + n);
                }
            });
            check(name + ": Java thread growth", b.threadCount() - a.threadCount(), b.threadCount() - a.threadCount() <= FLAT_THREADS,
                    String.join(", ", grew));
        }
    }

    private static boolean flat(long startKb, long endKb) {
        return endKb - startKb <= Math.max(FLAT_KB, startKb / 4);
    }

    void print(PrintStream out) {
        out.print(text);
        out.flush();
    }
}
