package org.overlaygate.itests;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.overlaygate.testsupport.Netns;

/**
 * What the soak reads from the appliances. While it runs, every second: each overlay's status
 * ({@code overlay:show -f}) and target cache ({@code overlay:show -t}), looking for PENDING entries
 * older than 5 s. Before and after: the counters of {@code overlay:stats} (drops by reason, events),
 * and each JVM's live heap, metaspace and threads (jcmd, after a full collection).
 */
final class SoakMonitor {
    /** A PENDING entry older than this is a lookup that took too long, unless its lookup was away meanwhile. */
    static final long PENDING_LIMIT_MS = 5000;
    private static final long PERIOD_MS = 1000;

    /** A PENDING entry older than {@link #PENDING_LIMIT_MS}, PENDING since {@code since} (epoch ms). */
    static final class OldPending {
        final int appliance;
        final String link;
        final String mac;
        final long since;
        long oldestMillis;
        /** When its lookup was last away, as far as the soak knows: the overlay's last disturbance or non-ONLINE status (epoch ms). */
        final long lookupAwaySince;
        /** Whether its lookup had been there for the last 5 s when it was seen: what the soak's check counts. */
        boolean lookupUp;

        OldPending(int appliance, String link, String mac, long since, long lookupAwaySince) {
            this.appliance = appliance;
            this.link = link;
            this.mac = mac;
            this.since = since;
            this.lookupAwaySince = lookupAwaySince;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "host %d %s %s pending for %.1f s%s", appliance, link, mac, oldestMillis / 1000.0,
                    lookupUp ? " with its lookup up for the last 5 s" : " (its lookup away meanwhile)");
        }
    }

    private final SoakNetwork net;
    private final SoakDisturbances disturbances;
    /** Per appliance and overlay, when it was last seen other than ONLINE, or could not be asked (epoch ms). */
    private final Map<String, Long> lastNotOnline = new TreeMap<>();
    /** Every old PENDING entry, once each (keyed by appliance, link, MAC and when it became PENDING, to the second). */
    final Map<String, OldPending> oldPending = Collections.synchronizedMap(new TreeMap<>());
    long samples;
    long maxPendingAgeMillis;
    private volatile boolean stopped;

    SoakMonitor(SoakNetwork net, SoakDisturbances disturbances) {
        this.net = net;
        this.disturbances = disturbances;
    }

    void stop() {
        stopped = true;
    }

    /** Samples every second until stopped. */
    void sample() throws Exception {
        while (!stopped) {
            long t0 = System.currentTimeMillis();
            for (int i = 0; i < SoakNetwork.APPLIANCES; i++) {
                sample(i);
            }
            samples++;
            Thread.sleep(Math.max(0, PERIOD_MS - (System.currentTimeMillis() - t0)));
        }
    }

    private void sample(int app) throws Exception {
        long now = System.currentTimeMillis();
        Map<String, String> status = net.statuses(app);
        for (String link : net.overlaysOf(app)) {
            if (status == null || !"ONLINE".equals(status.get(link))) {
                lastNotOnline.put(app + "/" + link, now);
            }
        }
        Distribution.Result targets = net.appliances.get(app).call("overlay:show", "-t", "-p", "-o", "link,target,state,age");
        if (targets.status != 0) {
            return; // varpd is being replaced: its absence is recorded above
        }
        for (String line : targets.out.split("\n")) {
            // link:target:state:age, the MAC's colons escaped as \: by the parseable output
            String[] cols = unescape(line);
            if (cols.length != 4 || !cols[2].equals("pending")) {
                continue;
            }
            long age = ageMillis(cols[3]);
            maxPendingAgeMillis = Math.max(maxPendingAgeMillis, age);
            if (age <= PENDING_LIMIT_MS) {
                continue;
            }
            String link = cols[0];
            long since = now - age;
            long away = Math.max(lastNotOnline.getOrDefault(app + "/" + link, 0L), disturbances.lastDisturbed(app, link));
            String key = app + "/" + link + "/" + cols[1] + "/" + since / 2000;
            OldPending p = oldPending.computeIfAbsent(key, k -> new OldPending(app, link, cols[1], since, away));
            p.oldestMillis = Math.max(p.oldestMillis, age);
            p.lookupUp |= now - away > PENDING_LIMIT_MS;
        }
    }

    /** The fields of a {@code -p} line: separated by ':', with '\:' a colon inside a field. */
    static String[] unescape(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                field.append(line.charAt(++i));
            } else if (c == ':') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return out.toArray(new String[0]);
    }

    /** An age as {@code overlay:show -t} prints it: 850ms, 42s, 17m, 3h. */
    static long ageMillis(String age) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(age);
        if (!m.matches()) {
            return 0;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return n;
            case "s":
                return n * 1000;
            case "m":
                return n * 60_000;
            default:
                return n * 3_600_000;
        }
    }

    // ------------------------------------------------------------------------------------------
    // counters

    /** The drops (key "host N LINK reason") and events (key "host N LINK event") of {@code overlay:stats}, from every appliance. */
    static final class Counters {
        final Map<String, Long> drops = new TreeMap<>();
        final Map<String, Long> events = new TreeMap<>();
    }

    Counters counters() throws Exception {
        Counters c = new Counters();
        for (int i = 0; i < SoakNetwork.APPLIANCES; i++) {
            String stats = SoakNetwork.retry(net.appliances.get(i), "overlay:stats");
            for (String table : stats.split("\n\n")) {
                String[] lines = table.split("\n");
                List<String> header = List.of(lines[0].trim().split("\\s+"));
                Map<String, Long> into = header.equals(List.of("LINK", "REASON", "COUNT")) ? c.drops
                        : header.equals(List.of("LINK", "EVENT", "COUNT")) ? c.events : null;
                if (into == null) {
                    continue;
                }
                for (int l = 1; l < lines.length; l++) {
                    String[] f = lines[l].trim().split("\\s+");
                    if (f.length == 3) {
                        into.merge("host " + i + " " + f[0] + " " + f[1], Long.parseLong(f[2]), Long::sum);
                    }
                }
            }
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------
    // JVMs

    /** One JVM's live heap and metaspace after a full collection, and its Java threads by name (digits as N). */
    static final class Jvm {
        final long heapKb;
        final long metaspaceKb;
        final Map<String, Integer> threads;

        Jvm(long heapKb, long metaspaceKb, Map<String, Integer> threads) {
            this.heapKb = heapKb;
            this.metaspaceKb = metaspaceKb;
            this.threads = threads;
        }

        int threadCount() {
            return threads.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
    private static final Pattern METASPACE_USED = Pattern.compile("Metaspace\\s+used (\\d+)K");
    private static final Pattern JAVA_THREAD = Pattern.compile("(?m)^\"(.*)\" #\\d+");

    /**
     * {@code jcmd PID GC.run}, then the heap and metaspace in use ({@code GC.heap_info}) and the Java
     * threads ({@code Thread.print}), leaving out the JIT's compiler threads, whose number the JVM
     * changes with its load.
     */
    static Jvm jvm(long pid) throws Exception {
        String p = Long.toString(pid);
        Netns.run(60_000, "jcmd", p, "GC.run").check();
        String heap = Netns.run(60_000, "jcmd", p, "GC.heap_info").check().output;
        String dump = Netns.run(60_000, "jcmd", p, "Thread.print").check().output;
        Matcher h = HEAP_USED.matcher(heap);
        Matcher m = METASPACE_USED.matcher(heap);
        if (!h.find() || !m.find()) {
            throw new AssertionError("jcmd " + p + " GC.heap_info: " + heap);
        }
        Map<String, Integer> threads = new TreeMap<>();
        Matcher t = JAVA_THREAD.matcher(dump);
        while (t.find()) {
            if (!t.group(1).contains("CompilerThread")) {
                threads.merge(t.group(1).replaceAll("\\d+", "N"), 1, Integer::sum);
            }
        }
        return new Jvm(Long.parseLong(h.group(1)), Long.parseLong(m.group(1)), threads);
    }
}
