package org.overlaygate.router;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A router's run-time state, kept across a restart of the bundle (its jar replaced, the appliance
 * restarted): the connections it masquerades, each on the outside port it had, and the neighbours
 * it knew, which come back STALE (used at once, confirmed by a probe when used). Its definition is
 * ConfigAdmin's; this is only what the router learnt. Without it an upgrade of the router would
 * cut every masqueraded connection (the outside's replies would find no entry) and hold the first
 * packets to every next hop.
 *
 * <p>One file per router in the bundle's data area (which outlives an update of the bundle),
 * written on stop (a temporary file, then renamed) and read, then deleted, on start. Lifetimes are
 * stored as what was left, and the wall-clock time between writing and reading is taken off. A
 * file that cannot be read is logged and ignored: the router starts empty, as before.
 */
final class RouterState {
    private static final int MAGIC = 0x4F47_5253; // "OGRS"
    private static final int VERSION = 1;
    private static final int MAX_NEIGHBOURS = 64 * 1024;

    /** A neighbour to write: its port, and its MAC read once. */
    private record Known(String port, Neighbour neighbour, long mac) {
    }

    private RouterState() {
    }

    static Path file(Path dir, String router) {
        return dir.resolve(router + ".state");
    }

    /** Writes the router's connections and neighbours to {@code dir}. */
    static void save(Path dir, Router router, long wallMillis) throws IOException {
        Files.createDirectories(dir);
        Path target = file(dir, router.name);
        Path tmp = dir.resolve(router.name + ".state.tmp");
        try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(wallMillis);
            List<Known> known = new ArrayList<>();
            for (RouterPort p : router.config().ports) {
                for (Neighbour n : p.neighbours.entries()) {
                    long mac = n.mac;
                    if (mac != 0 && n.state != Neighbour.State.INCOMPLETE) {
                        known.add(new Known(p.overlay, n, mac));
                    }
                }
            }
            out.writeInt(known.size());
            for (Known k : known) {
                out.writeUTF(k.port());
                out.writeLong(k.neighbour().hi);
                out.writeLong(k.neighbour().lo);
                out.writeLong(k.mac());
                out.writeUTF(k.neighbour().source);
            }
            router.conns.writeTo(out);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads back what {@link #save} wrote for this router into it (its ports made from its
     * definition), and deletes the file.
     *
     * @return {neighbours, connections} restored; {0, 0} when there was no file
     */
    static int[] restore(Path dir, Router router, long wallMillis) throws IOException {
        Path f = file(dir, router.name);
        if (!Files.isRegularFile(f)) {
            return new int[] {0, 0};
        }
        try (InputStream is = Files.newInputStream(f); DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException(f + " is not a router state of this version");
            }
            long elapsedNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, wallMillis - in.readLong()));
            int count = in.readInt();
            if (count < 0 || count > MAX_NEIGHBOURS) {
                throw new IOException("bad neighbour count " + count + " in " + f);
            }
            int neighbours = 0;
            for (int i = 0; i < count; i++) {
                String port = in.readUTF();
                long hi = in.readLong();
                long lo = in.readLong();
                long mac = in.readLong();
                String source = in.readUTF();
                RouterPort p = router.port(port);
                if (p != null && mac != 0 && p.onLink(hi, lo) && elapsedNanos < NeighbourTable.STALE_GC_NANOS) {
                    p.neighbours.restoreStale(hi, lo, mac, source);
                    neighbours++;
                }
            }
            int conns = router.conns.readFrom(in, elapsedNanos);
            return new int[] {neighbours, conns};
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
