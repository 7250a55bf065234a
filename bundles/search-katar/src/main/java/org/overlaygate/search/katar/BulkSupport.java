package org.overlaygate.search.katar;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the plugin knows of each katar server's BULK_REQ (our extension, op 7), by server address
 * and port, for every pool and overlay of the plugin: BULK is asked of a server once, by one
 * overlay at a time, and a server that did not answer it or closed the connection on it is never
 * asked again. Joyent's portolan crashes on op 7 (its unknown-op check misses it): asking again on
 * each reconnect or restart would take every host on that server down each time.
 *
 * <p>The servers that refused are kept in a small file ({@code katar-client/bulk-refused} in the
 * appliance's data directory: one {@code ADDRESS PORT} a line, owner-only), written as soon as one
 * is learned, so a restart, even after SIGKILL, does not ask them again. Deleting the file (or a
 * line of it) has them asked once more. Servers that answered are not written down: they are
 * asked again after a restart. Without a file (tests, no data directory) the memory lasts as long
 * as the plugin.
 */
final class BulkSupport {
    private static final Logger LOG = LoggerFactory.getLogger(BulkSupport.class);

    /** What is known of one server. */
    enum Known {
        /** Never asked: the caller that gets this answer asks (and must report the outcome). */
        UNKNOWN,
        /** Another overlay is asking now: the caller is told again when the outcome is known. */
        ASKING,
        /** It answered BULK. */
        YES,
        /** It did not answer, refused, or closed the connection: never asked again. */
        NO
    }

    private final Map<InetSocketAddress, Known> known = new HashMap<>();
    private final Map<InetSocketAddress, List<Runnable>> waiting = new HashMap<>();
    private Path file;

    /** Reads the servers that refused BULK from {@code file} (made when the first one is learned); null keeps them in memory only. */
    synchronized void load(Path file) {
        this.file = file;
        if (file == null || !Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                InetSocketAddress a = parse(line);
                if (a != null) {
                    known.put(a, Known.NO);
                } else if (!line.isBlank()) {
                    LOG.warn("{}: ignoring '{}' (not ADDRESS PORT)", file, line);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read the katar servers known to lack BULK from {}: {}", file, e.toString());
        }
    }

    private static InetSocketAddress parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length != 2) {
            return null;
        }
        try {
            int port = Integer.parseInt(f[1]);
            InetAddress ip = org.overlaygate.katar.protocol.Addresses.parseIp(f[0]);
            return port > 0 && port < 65536 && ip != null ? new InetSocketAddress(ip, port) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether BULK may be asked of {@code server}. UNKNOWN hands the asking to the caller, who must
     * call {@link #answered}, {@link #refused} or {@link #undecided} once; ASKING registers
     * {@code whenKnown}, run (on the reporting thread) once another caller's outcome is known.
     */
    synchronized Known ask(InetSocketAddress server, Runnable whenKnown) {
        Known k = known.getOrDefault(server, Known.UNKNOWN);
        if (k == Known.UNKNOWN) {
            known.put(server, Known.ASKING);
        } else if (k == Known.ASKING) {
            waiting.computeIfAbsent(server, s -> new ArrayList<>()).add(whenKnown);
        }
        return k;
    }

    /** The server answered BULK (even late). */
    void answered(InetSocketAddress server) {
        boolean wasNo;
        synchronized (this) {
            wasNo = known.put(server, Known.YES) == Known.NO;
            if (wasNo) {
                save();
            }
        }
        tellWaiting(server);
    }

    /** The server did not answer BULK, refused it, or closed the connection on it: never asked again. */
    void refused(InetSocketAddress server, String why) {
        boolean learned;
        synchronized (this) {
            learned = known.put(server, Known.NO) != Known.NO;
            if (learned) {
                save();
            }
        }
        if (learned) {
            LOG.info("katar server at {} {}: it is not asked for BULK again (misses are looked up one by one){}", server, why,
                    file == null ? "" : "; remembered in " + file);
        }
        tellWaiting(server);
    }

    /** The question never reached the server (its connection was down): it may be asked later. */
    void undecided(InetSocketAddress server) {
        synchronized (this) {
            known.remove(server, Known.ASKING);
        }
        tellWaiting(server);
    }

    synchronized Known known(InetSocketAddress server) {
        return known.getOrDefault(server, Known.UNKNOWN);
    }

    private void tellWaiting(InetSocketAddress server) {
        List<Runnable> tell;
        synchronized (this) {
            tell = waiting.remove(server);
        }
        if (tell != null) {
            tell.forEach(Runnable::run);
        }
    }

    /** Writes the refusing servers, whole, through a temporary file (never half-written). */
    private void save() {
        if (file == null) {
            return;
        }
        TreeSet<String> lines = new TreeSet<>();
        known.forEach((a, k) -> {
            if (k == Known.NO) {
                lines.add(a.getAddress().getHostAddress() + " " + a.getPort());
            }
        });
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot remember the katar servers that lack BULK in {}: {} (kept until the plugin stops)", file, e.toString());
        }
    }
}
