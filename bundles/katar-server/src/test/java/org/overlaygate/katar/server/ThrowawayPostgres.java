package org.overlaygate.katar.server;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;

/**
 * A PostgreSQL cluster of its own on loopback for one test (or benchmark): initdb into a temporary
 * directory (as the {@code postgres} user via runuser when root), pg_ctl start on a free port,
 * trust authentication for user {@code postgres}, unix socket in the same directory.
 * {@link #close()} stops it (immediate) and deletes the directory. Needs the Debian package
 * {@code postgresql}, which ./test.sh installs as root.
 */
public final class ThrowawayPostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final boolean root;
    public final int port;
    private boolean started;
    private String options;

    private ThrowawayPostgres(Path bin, Path dir, boolean root, int port) {
        this.bin = bin;
        this.dir = dir;
        this.root = root;
        this.port = port;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest /usr/lib/postgresql/N/bin with initdb, or null. */
    static Path binaries() throws IOException {
        Path base = Paths.get("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        Path best = null;
        int bestVersion = -1;
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(base)) {
            for (Path v : versions) {
                try {
                    int n = Integer.parseInt(v.getFileName().toString().replaceAll("\\..*", ""));
                    if (n > bestVersion && Files.isExecutable(v.resolve("bin/initdb"))) {
                        best = v.resolve("bin");
                        bestVersion = n;
                    }
                } catch (NumberFormatException ignored) {
                    // not a version directory
                }
            }
        }
        return best;
    }

    /**
     * Starts a cluster, or skips the calling test (JUnit assumption) with a printed reason when not
     * root and the PostgreSQL binaries are absent. As root, absent binaries fail: CI must run it.
     */
    public static ThrowawayPostgres startOrSkip(boolean fsync) throws Exception {
        Path bin = binaries();
        boolean root = isRoot();
        if (bin == null) {
            if (!root) {
                String reason = "SKIPPED: PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb) absent and not root;"
                        + " install the Debian package postgresql (./test.sh does as root)";
                System.out.println(reason);
                System.err.println(reason);
                Assume.assumeTrue(reason, false);
            }
            throw new IllegalStateException("PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb) are absent: ./test.sh installs"
                    + " the Debian package postgresql as root; run it, or apt-get install postgresql");
        }
        Path dir = Files.createTempDirectory("katar-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ThrowawayPostgres pg = new ThrowawayPostgres(bin, dir, root, port);
        try {
            if (root) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            pg.asOwner(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"));
            String options = "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c max_connections=200"
                    + (fsync ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            pg.options = options;
            pg.startServer();
            return pg;
        } catch (Exception e) {
            pg.close();
            throw e;
        }
    }

    /** Starts (again) the cluster's server on its port and waits until it accepts connections. */
    public void startServer() throws IOException, InterruptedException {
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("postgres.log").toString(), "-w", "-t", "60", "-o", options, "start"));
        started = true;
    }

    /** Stops the server (fast shutdown: every connection is closed at once), keeping the cluster: a database outage. */
    public void stopServer() throws IOException, InterruptedException {
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
        started = false;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    private void asOwner(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (root) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        run(cmd);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        File out = File.createTempFile("katar-pg-cmd", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd + " did not finish within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(cmd + " failed (exit " + p.exitValue() + "): " + Files.readString(out.toPath()).trim());
            }
        } finally {
            out.delete();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (started) {
                asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
            }
        } finally {
            TestServers.delete(dir);
        }
    }
}
