package org.overlaygate.search.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.AddressCallback;
import org.overlaygate.api.search.AddressQuery;
import org.overlaygate.api.search.DhcpHint;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.TargetPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One overlay's mapping file: answers lookups and ARP/NDP from the last good version, and watches
 * the file. Every {@value #POLL_MILLIS} ms (on varpd's timer) the file's attributes are compared
 * with those of the version last read; a change is read, checked whole and, when good, put in
 * force at once, with only what changed invalidated ({@link MappingChanges}). A bad version (it
 * does not parse, has a bad entry, cannot be read or is gone) leaves the last good one in force and
 * marks the overlay DEGRADED with the file, line and reason, once it has stayed the same for one
 * more poll: an editor that truncates and rewrites, or renames the old file away before writing
 * the new one, passes through versions that are not meant to be read. So a change applies within
 * about {@value #POLL_MILLIS} ms, a broken file is reported within about twice that.
 *
 * <p>The timer only looks at the file's attributes; the file is read by {@link MappingReader}
 * (regular files only, bounded) on a thread of its own, without holding this instance's lock, so a
 * file that blocks its reader (a FIFO swapped in at the wrong moment) stops neither the timer every
 * overlay shares nor this overlay's stop; while a read is under way no other is started.
 */
final class FilesSearch implements SearchInstance {
    private static final Logger LOG = LoggerFactory.getLogger(FilesSearch.class);
    static final long POLL_MILLIS = 250;
    /** Drop reason of a MAC the file does not name. */
    static final String NOT_IN_FILE = "not_in_file";
    /** Drop reason while no version of the file was ever good. */
    static final String NO_MAPPING = "no_mapping_file";
    /** Drop reason of a MAC the file places on this very host, where no VNIC has it. */
    static final String MAPPED_HERE = "mapped_here";
    /** The saved-state key of the destinations the target cache may hold. */
    static final String STATE_APPLIED = "applied";

    private final SearchContext context;
    private final Path path;

    /** The mapping in force; {@code null} until a version was good. Read by lookups without a lock. */
    private volatile Mapping mapping;
    /** What the target cache may hold from this plugin: the base of the next diff. */
    private Mapping applied = Mapping.EMPTY;
    /** The attributes of the version last read, and the underlay it was checked against. */
    private Map<String, Object> seen;
    private MappingFile.Underlay seenUnderlay;
    /** A bad version waiting for one more poll before it degrades the overlay. */
    private Map<String, Object> unsettled;
    private String degradedBy;
    private ScheduledFuture<?> poll;
    private boolean started;
    private boolean stopped;
    /** A read of the file is under way on its own thread: the timer starts no other. */
    private boolean reading;
    private final Executor reads;

    /**
     * @param reads runs each read of the file: a thread of its own for each by default, so a file
     *     that blocks its reader blocks nothing else
     */
    FilesSearch(SearchContext context, Path path, Executor reads) {
        this.context = context;
        this.path = path;
        this.reads = reads;
    }

    /** Reads the file (degrading the overlay if it is bad) and starts watching it. Never fails for the file's sake. */
    @Override
    public void start() {
        synchronized (this) {
            if (started) {
                return;
            }
            started = true;
        }
        context.setFloodTargets(List.of(), false); // broadcast other than ARP/NDP goes nowhere, counted by the data path
        check(true);
        synchronized (this) {
            if (!stopped) {
                poll = context.scheduler().scheduleWithFixedDelay(this::pollQuietly, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
    }

    /**
     * On varpd's timer, shared by every overlay: looks at the file's attributes only (a stat never
     * blocks, whatever the file is) and hands a changed file to {@link #reads}, one read at a time.
     */
    private void pollQuietly() {
        try {
            MappingFile.Underlay underlay = MappingFile.Underlay.of(context.underlayAddress());
            Map<String, Object> version = attributes(path);
            synchronized (this) {
                if (poll == null || reading || (version.equals(seen) && underlay.equals(seenUnderlay))) {
                    return;
                }
                reading = true;
            }
            reads.execute(() -> {
                try {
                    check(false);
                } catch (RuntimeException e) {
                    LOG.warn("overlay {}: checking {} failed", context.overlayName(), path, e);
                } finally {
                    synchronized (this) {
                        reading = false;
                    }
                }
            });
        } catch (RuntimeException e) { // an exception would end the timer task for good
            synchronized (this) {
                reading = false;
            }
            LOG.warn("overlay {}: checking {} failed", context.overlayName(), path, e);
        }
    }

    /**
     * Reads the file if it or the overlay's underlay changed since it was last read; see the class
     * comment. The read itself holds no lock: stopping the instance never waits for it.
     */
    void check(boolean starting) {
        MappingFile.Underlay underlay;
        Map<String, Object> version;
        synchronized (this) {
            if (stopped || starting == (poll != null)) {
                return; // stopped meanwhile (a poll that was already running), or started twice
            }
            underlay = MappingFile.Underlay.of(context.underlayAddress());
            version = attributes(path);
            if (version.equals(seen) && underlay.equals(seenUnderlay)) {
                return;
            }
        }
        Mapping parsed = null;
        MappingException failure = null;
        try {
            parsed = MappingFile.parse(MappingReader.read(path), underlay);
        } catch (MappingException e) {
            failure = e;
        }
        apply(starting, version, underlay, parsed, failure);
    }

    private synchronized void apply(boolean starting, Map<String, Object> version, MappingFile.Underlay underlay, Mapping next,
            MappingException failure) {
        if (stopped) {
            return;
        }
        if (failure != null) {
            MappingException e = failure;
            if (starting || version.equals(unsettled)) {
                seen = version;
                seenUnderlay = underlay;
                unsettled = null;
                degrade(e.describe(path.toString()));
            } else {
                unsettled = version; // read it again at the next poll: it may be half-written
            }
            return;
        }
        seen = version;
        seenUnderlay = underlay;
        unsettled = null;
        install(next);
    }

    private void install(Mapping next) {
        MappingChanges changes = MappingChanges.between(applied, next);
        mapping = next; // before the cache is touched: a lookup made after an invalidation sees the new version
        changes.applyTo(context);
        applied = next;
        if (degradedBy != null) {
            degradedBy = null;
            context.restore();
        }
        LOG.info("overlay {}: {} in force, {} MAC{}; {}", context.overlayName(), path, next.size(), next.size() == 1 ? "" : "s", changes);
    }

    private void degrade(String problem) {
        String reason = problem + (mapping == null ? "; no mapping in force: every destination is dropped"
                : "; the last good version stays in force");
        if (!reason.equals(degradedBy)) {
            degradedBy = reason;
            context.degrade(reason);
            LOG.warn("overlay {}: {}", context.overlayName(), reason);
        }
    }

    /**
     * What tells one version of the file from another without reading it: size, times, inode
     * (a rename puts another file in place). An unreadable path is a version of its own, by reason.
     */
    static Map<String, Object> attributes(Path path) {
        try {
            return new TreeMap<>(Files.readAttributes(path, "unix:size,lastModifiedTime,ctime,ino,dev"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return Map.of("size", a.size(), "lastModifiedTime", a.lastModifiedTime(), "key", String.valueOf(a.fileKey()));
            } catch (IOException io) {
                return Map.of("error", io.getClass().getName());
            }
        } catch (IOException e) {
            return Map.of("error", e.getClass().getName());
        }
    }

    // ---------------------------------------------------------------- lookups

    /** The file is the truth, and it is watched: entries never age, changes invalidate what they touch. */
    @Override
    public TargetPolicy targetPolicy() {
        return TargetPolicy.LOOKUP_ONLY;
    }

    @Override
    public void lookup(LookupRequest request, LookupCallback callback) {
        Mapping m = mapping;
        if (m == null) {
            callback.drop(NO_MAPPING);
            return;
        }
        UnderlayAddress destination = m.destination(request.destinationMac());
        if (destination == null) {
            callback.drop(NOT_IN_FILE);
        } else if (destination.equals(context.underlayAddress())) {
            callback.drop(MAPPED_HERE);
        } else {
            callback.respond(destination);
        }
    }

    @Override
    public boolean proxiesAddresses() {
        return true;
    }

    @Override
    public void proxyAddress(AddressQuery query, AddressCallback callback) {
        Mapping m = mapping;
        Long mac = m == null ? null : m.macOf(query.target());
        if (mac == null) {
            callback.unknown();
        } else {
            callback.answer(mac);
        }
    }

    /**
     * Always, as illumos' files plugin: a VM's DHCP broadcast goes to the server its entry names
     * ({@code dhcp-proxy}), and is dropped when it names none, unless the overlay serves DHCP itself
     * ({@code dhcp/subnet}).
     */
    @Override
    public boolean proxiesDhcp() {
        return true;
    }

    @Override
    public java.util.concurrent.CompletionStage<DhcpHint> dhcpHint(long mac, int vlan) {
        Mapping m = mapping;
        return java.util.concurrent.CompletableFuture.completedFuture(m == null ? DhcpHint.NONE : m.dhcpOf(mac));
    }

    // ---------------------------------------------------------------- across a replacement

    /** The destinations the target cache may hold, for the instance that replaces this one. */
    @Override
    public synchronized Map<String, String> saveState() {
        return applied.size() == 0 ? Map.of() : Map.of(STATE_APPLIED, applied.destinationsText());
    }

    /** What the replaced instance had put in force: the next version is compared with it. */
    @Override
    public synchronized void restoreState(Map<String, String> state) {
        String text = state.get(STATE_APPLIED);
        if (text != null) {
            applied = Mapping.ofDestinationsText(text);
        }
    }
}
