package org.overlaygate.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code run/overlaygate.pid}: written at start (atomically), removed at a clean stop. A pid file
 * naming a live appliance process refuses a second start on the same distribution; one left by a
 * crash is replaced.
 */
final class PidFile {
    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Refuses to go on when the pid file names a live appliance process. */
    static void checkNotRunning(Path path) throws IOException {
        Optional<Long> existing = read(path);
        if (existing.isPresent() && existing.get() != ProcessHandle.current().pid() && isAppliance(existing.get())) {
            throw new IllegalStateException("an appliance is already running from this distribution (pid " + existing.get()
                    + "); stop it with bin/overlaygate stop");
        }
    }

    /** Checks, then writes this process's pid. */
    static PidFile acquire(Path path) throws IOException {
        checkNotRunning(path);
        Files.createDirectories(path.getParent());
        long pid = ProcessHandle.current().pid();
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.write(tmp, (pid + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new PidFile(path, pid);
    }

    void release() {
        try {
            if (read(path).orElse(-1L) == pid) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // a pid file we cannot remove is stale at the next start and replaced then
        }
    }

    static Optional<Long> read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isAppliance(long pid) {
        if (isZombie(pid)) {
            return false; // dead, not yet reaped by its parent
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().commandLine())
                .map(cmd -> cmd.contains(Main.class.getName()))
                .orElse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /** True when /proc says the process has exited but was not reaped (state Z). */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(java.nio.file.Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
