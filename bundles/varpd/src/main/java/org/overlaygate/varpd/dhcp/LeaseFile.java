package org.overlaygate.varpd.dhcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.overlaygate.api.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An overlay's leases kept in the data directory ({@code dhcp/OVERLAY.leases}), one line per
 * address: {@code VLAN ADDRESS MAC STATE EXPIRES} (VLAN {@code -} for the untagged network,
 * EXPIRES in wall-clock milliseconds). Written whole to a temporary file, forced to disk and
 * renamed over the old one, so that a crash leaves the old or the new version, never half of one.
 * A damaged line is logged and skipped; offers are not kept.
 */
final class LeaseFile {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseFile.class);
    private static final String HEADER = "# Overlay Gate DHCP leases: VLAN ADDRESS MAC STATE EXPIRES(ms)";

    private final Path file;

    LeaseFile(Path directory, String overlay) {
        this.file = directory.resolve(overlay + ".leases");
    }

    Path path() {
        return file;
    }

    /** The kept leases by VLAN; empty when there is no file. */
    Map<Integer, List<LeaseTable.Lease>> read() {
        Map<Integer, List<LeaseTable.Lease>> out = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            LOG.error("DHCP leases of {} cannot be read, starting without them: {}", file, e.getMessage());
            return out;
        }
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                String[] f = line.trim().split(" +");
                if (f.length != 5) {
                    throw new IllegalArgumentException("5 fields expected");
                }
                int vlan = f[0].equals("-") ? DhcpConfig.NO_VLAN : Integer.parseInt(f[0]);
                LeaseTable.Lease l = new LeaseTable.Lease(DhcpConfig.address("address", f[1]), MacAddress.parse(f[2]),
                        LeaseTable.State.valueOf(f[3]), Long.parseLong(f[4]));
                out.computeIfAbsent(vlan, v -> new ArrayList<>()).add(l);
            } catch (RuntimeException e) {
                LOG.warn("{} line {}: skipped, not a lease ({})", file, n, e.getMessage());
            }
        }
        return out;
    }

    /** Replaces the file with these leases (OFFERED ones left out). */
    void write(Map<Integer, List<LeaseTable.Lease>> leases) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Map.Entry<Integer, List<LeaseTable.Lease>> e : leases.entrySet()) {
            for (LeaseTable.Lease l : e.getValue()) {
                if (l.state != LeaseTable.State.OFFERED) {
                    b.append(e.getKey() == DhcpConfig.NO_VLAN ? "-" : e.getKey().toString()).append(' ').append(DhcpConfig.format(l.address))
                            .append(' ').append(MacAddress.format(l.mac)).append(' ').append(l.state).append(' ').append(l.expires).append('\n');
                }
            }
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            ByteBuffer data = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            while (data.hasRemaining()) {
                c.write(data);
            }
            c.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("DHCP leases {} cannot be deleted: {}", file, e.getMessage());
        }
    }
}
