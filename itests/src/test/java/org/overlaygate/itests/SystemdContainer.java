package org.overlaygate.itests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.overlaygate.testsupport.Netns;

/**
 * systemd as PID 1 of a container (systemd-nspawn) that sees this machine's /usr, /etc and /opt
 * read-only: a unit installed here can be started there by a real service manager, with every
 * sandboxing setting applied, on a machine whose own PID 1 is not systemd (CI's). The container
 * shares the host's network, so links the service makes are visible here; /var is a fresh tmpfs
 * but for the directories named at boot, which are this machine's. Commands run inside through
 * nsenter. Closing powers it off (SIGTERM to nspawn), or kills it.
 */
final class SystemdContainer implements AutoCloseable {
    private final Process nspawn;
    private final Path root;
    private final Path console;
    private final long init;

    private SystemdContainer(Process nspawn, Path root, Path console, long init) {
        this.nspawn = nspawn;
        this.root = root;
        this.console = console;
        this.init = init;
    }

    /**
     * Boots a container to basic.target and waits until its boot is over.
     *
     * @param hostDirs directories of this machine bound read-write at the same path inside
     */
    static SystemdContainer boot(List<String> hostDirs) throws Exception {
        Path root = Files.createTempDirectory("og-nspawn");
        Process nspawn = null;
        try {
            // the container's / (a temporary directory is 0700): its services run as other users
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            // An empty root with the usual top-level directories; nspawn looks for os-release before it
            // binds /usr over it. Debian's /bin, /lib, /lib64 and /sbin are links into /usr.
            for (String dir : List.of("usr/lib", "etc", "opt", "var", "dev", "proc", "sys", "run", "tmp")) {
                Files.createDirectories(root.resolve(dir));
            }
            Files.copy(Paths.get("/usr/lib/os-release"), root.resolve("usr/lib/os-release"));
            for (String link : List.of("bin", "lib", "lib64", "sbin")) {
                if (Files.isSymbolicLink(Paths.get("/" + link))) {
                    Files.createSymbolicLink(root.resolve(link), Paths.get("usr/" + link));
                }
            }
            Path consoleLog = Files.createTempFile("og-nspawn", ".console");
            List<String> cmd = new ArrayList<>(List.of("systemd-nspawn", "--quiet", "--keep-unit", "--register=no",
                    "--resolv-conf=off", "--timezone=off", "--link-journal=no", "--console=read-only",
                    "--machine=" + Netns.uniqueName("ogct"), "--directory=" + root,
                    "--bind-ro=/usr", "--bind-ro=/etc", "--bind-ro=/opt", "--tmpfs=/var",
                    // the service manages TAP devices and links of the (shared) host network
                    "--capability=CAP_NET_ADMIN"));
            for (String dir : hostDirs) {
                cmd.add("--bind=" + dir);
            }
            cmd.addAll(List.of("--boot", "systemd.unit=basic.target"));
            nspawn = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(consoleLog.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Optional<ProcessHandle> init = Optional.empty();
            while (init.isEmpty() && nspawn.isAlive() && System.nanoTime() < deadline) {
                init = nspawn.children().filter(p -> p.info().command().map(c -> c.endsWith("/systemd")).orElse(false)).findFirst();
                if (init.isEmpty()) {
                    nspawn.waitFor(100, TimeUnit.MILLISECONDS);
                }
            }
            if (init.isEmpty()) {
                throw new IOException("systemd-nspawn did not start systemd: " + Files.readString(consoleLog));
            }
            SystemdContainer container = new SystemdContainer(nspawn, root, consoleLog, init.get().pid());
            // systemctl needs the manager's private socket, which systemd makes early in its boot
            while (container.exec("test", "-S", "/run/systemd/private").exitCode != 0) {
                if (!nspawn.isAlive() || System.nanoTime() > deadline) {
                    String why = container.consoleOutput();
                    container.close();
                    throw new IOException("the container's systemd never opened its socket: " + why);
                }
                nspawn.waitFor(100, TimeUnit.MILLISECONDS);
            }
            // "running" or "degraded" (a unit of this machine that cannot start in a container): booted either way
            Netns.Result state = container.exec(90_000, "systemctl", "is-system-running", "--wait");
            if (state.timedOut || !state.output.trim().matches("running|degraded")) {
                String why = state + "\n" + container.consoleOutput();
                container.close();
                throw new IOException("the container's systemd did not finish booting: " + why);
            }
            return container;
        } catch (Exception | Error e) {
            if (nspawn != null && nspawn.isAlive()) {
                nspawn.descendants().forEach(ProcessHandle::destroyForcibly);
                nspawn.destroyForcibly();
            }
            Netns.run("rm", "-rf", "--one-file-system", root.toString());
            throw e;
        }
    }

    /** Runs a command inside (its mount, PID, UTS and IPC namespaces), as root. */
    Netns.Result exec(long timeoutMillis, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--target", Long.toString(init), "--mount", "--uts", "--ipc", "--pid", "--"));
        cmd.addAll(List.of(command));
        return Netns.run(timeoutMillis, cmd.toArray(new String[0]));
    }

    Netns.Result exec(String... command) throws IOException {
        return exec(60_000, command);
    }

    /** The unit's journal inside the container, for a failure's message. */
    String journal(String unit) throws IOException {
        return exec("journalctl", "--no-pager", "-n", "200", "-u", unit).output;
    }

    String consoleOutput() throws IOException {
        return Files.readString(console);
    }

    @Override
    public void close() throws IOException {
        try {
            // SIGTERM: nspawn asks the container's systemd to power off, which stops every unit
            nspawn.destroy();
            if (!nspawn.waitFor(60, TimeUnit.SECONDS)) {
                ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly); // ends its PID namespace
                nspawn.destroyForcibly();
                nspawn.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(console);
            Netns.run("rm", "-rf", "--one-file-system", root.toString());
        }
    }
}
