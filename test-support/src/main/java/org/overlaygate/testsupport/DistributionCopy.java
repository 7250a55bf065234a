package org.overlaygate.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private copy of the built distribution in a temporary directory, without its state (data,
 * log, run), so tests and benchmarks never disturb runtime/target/overlaygate or each other.
 */
public final class DistributionCopy {
    private static final List<String> STATE = List.of("data", "log", "run");

    private DistributionCopy() {
    }

    /** Copies {@code dist} (which must hold bin/overlaygate) to a new temporary directory. */
    public static Path copy(Path dist) throws IOException {
        if (!Files.isExecutable(dist.resolve("bin/overlaygate"))) {
            throw new IllegalStateException("no distribution at " + dist + ": build the runtime module first");
        }
        Path home = Files.createTempDirectory("og-dist");
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = dist.relativize(p);
                if (rel.getNameCount() > 0 && STATE.contains(rel.getName(0).toString())) {
                    continue;
                }
                Path target = home.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Files.createDirectories(home.resolve("log"));
        return home;
    }

    /** Deletes a copy (or any directory tree). */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
