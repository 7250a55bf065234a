package org.overlaygate.testsupport;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.Assume;

/**
 * Test helper: a network namespace of the test's own (unique name, random suffix), commands run
 * inside it with a timeout and their output captured, veth pairs, and code run on a thread that
 * has entered it. Everything it makes is removed by {@link #close()} (use try-with-resources); a
 * JVM shutdown hook removes whatever a crashed or killed test left behind.
 *
 * <p>Needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN) and iproute2's {@code ip}. Tests call
 * {@link #assumeAvailable(String)} first: without them the test is skipped and says why.
 *
 * <p>Only processes this helper started are ever killed: those it started itself (by their
 * {@link Process} handle), and the pids {@code ip netns pids} lists for its own namespace, which
 * nothing else enters.
 */
public final class Netns implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> LIVE_NAMESPACES = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final Set<String> LIVE_LINKS = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final int CLONE_NEWNET = 0x40000000;
    private static final long COMMAND_TIMEOUT_MS = 20_000;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Netns::removeLeftovers, "netns-cleanup"));
    }

    private final String name;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> links = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    // ------------------------------------------------------------------------------------------
    // availability

    /** Why namespace tests cannot run here, or null when they can. */
    public static String unavailableReason() {
        if (!Platform.isLinux()) {
            return "needs Linux";
        }
        if (!isRoot()) {
            return "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces and devices";
        }
        if (findExecutable("ip") == null) {
            return "needs iproute2's 'ip' command on PATH";
        }
        return null;
    }

    /**
     * Environment variable that makes a system test that cannot run fail instead of skipping:
     * {@code .ci/run} sets it, because CI is where they must run.
     */
    public static final String REQUIRE_ENV = "OG_REQUIRE_SYSTEM_TESTS";

    /**
     * Skips the calling test, printing the reason; or, where {@value #REQUIRE_ENV}=1 (CI), fails
     * it with the reason.
     */
    public static void skipOrFail(String test, String reason) {
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            throw new AssertionError(test + " cannot run here, and " + REQUIRE_ENV + "=1 requires it: " + reason);
        }
        System.out.println("SKIPPED " + test + ": " + reason);
        Assume.assumeTrue(test + " skipped: " + reason, false);
    }

    /** Skips the calling test (fails it in CI, see {@link #skipOrFail}), saying why, unless namespaces can be made here. */
    public static void assumeAvailable(String test) {
        String reason = unavailableReason();
        if (reason != null) {
            skipOrFail(test, reason);
        }
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    public static String findExecutable(String command) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            File f = new File(dir, command);
            if (!dir.isEmpty() && f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** A unique name: prefix + "-" + 6 random hex digits, at most 15 characters (interface names). */
    public static String uniqueName(String prefix) {
        String suffix = String.format("%06x", RANDOM.nextInt(1 << 24));
        String base = prefix.length() > 8 ? prefix.substring(0, 8) : prefix;
        return base + "-" + suffix;
    }

    // ------------------------------------------------------------------------------------------
    // life cycle

    /** Creates a namespace named prefix-XXXXXX with its loopback up. */
    public static Netns create(String prefix) throws IOException {
        Netns ns = new Netns(uniqueName(prefix));
        LIVE_NAMESPACES.add(ns.name);
        try {
            run("ip", "netns", "add", ns.name).check();
            ns.exec("ip", "link", "set", "lo", "up").check();
            return ns;
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /**
     * Creates a veth pair in the root namespace and moves {@code insideEnd} into this one. The
     * root end is deleted by {@link #close()} (which removes the pair).
     */
    public void addVeth(String rootEnd, String insideEnd) throws IOException {
        LIVE_LINKS.add(rootEnd);
        links.add(rootEnd);
        run("ip", "link", "add", rootEnd, "type", "veth", "peer", "name", insideEnd).check();
        moveIn(insideEnd);
    }

    /** Moves a link of the root namespace into this one. */
    public void moveIn(String link) throws IOException {
        run("ip", "link", "set", link, "netns", name).check();
    }

    /** Removes everything this namespace helper made. Never throws; safe to call twice. */
    @Override
    public void close() {
        synchronized (processes) {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            processes.clear();
        }
        for (String link : links) {
            deleteLink(link);
        }
        links.clear();
        deleteNamespace(name);
    }

    private static void deleteLink(String link) {
        try {
            if (new File("/sys/class/net/" + link).exists()) {
                run("ip", "link", "del", link);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot delete test link " + link + ": " + e.getMessage());
        }
        LIVE_LINKS.remove(link);
    }

    private static void deleteNamespace(String ns) {
        try {
            if (new File("/var/run/netns/" + ns).exists() || new File("/run/netns/" + ns).exists()) {
                // Processes left inside our own namespace (started by this test) would keep it alive.
                Result pids = run("ip", "netns", "pids", ns);
                for (String pid : pids.output.trim().split("\\s+")) {
                    if (!pid.isEmpty()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Result del = run("ip", "netns", "del", ns);
                if (del.exitCode != 0) {
                    System.err.println("cannot delete test namespace " + ns + ": " + del.output.trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot delete test namespace " + ns + ": " + e.getMessage());
        }
        LIVE_NAMESPACES.remove(ns);
    }

    private static void removeLeftovers() {
        for (String link : new ArrayList<>(LIVE_LINKS)) {
            deleteLink(link);
        }
        for (String ns : new ArrayList<>(LIVE_NAMESPACES)) {
            deleteNamespace(ns);
        }
    }

    // ------------------------------------------------------------------------------------------
    // commands

    /** The outcome of a command: exit code (-1 when it timed out and was killed) and stdout+stderr. */
    public static final class Result {
        public final List<String> command;
        public final int exitCode;
        public final String output;
        public final boolean timedOut;

        Result(List<String> command, int exitCode, String output, boolean timedOut) {
            this.command = command;
            this.exitCode = exitCode;
            this.output = output;
            this.timedOut = timedOut;
        }

        /** Throws with the command and its output unless it exited 0. */
        public Result check() throws IOException {
            if (exitCode != 0) {
                throw new IOException(String.join(" ", command) + (timedOut ? " timed out" : " exited " + exitCode)
                        + ": " + output.trim());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> " + exitCode + "\n" + output;
        }
    }

    /** Runs a command in the root namespace, with the default timeout. */
    public static Result run(String... command) throws IOException {
        return run(COMMAND_TIMEOUT_MS, command);
    }

    /** Runs a command in the root namespace; kills it (and its children) after timeoutMillis. */
    public static Result run(long timeoutMillis, String... command) throws IOException {
        Path out = Files.createTempFile("netns-cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            boolean done;
            try {
                done = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            return new Result(List.of(command), done ? p.exitValue() : -1, output, !done);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Runs a command inside this namespace ({@code ip netns exec}), with the default timeout. */
    public Result exec(String... command) throws IOException {
        return exec(COMMAND_TIMEOUT_MS, command);
    }

    /** Runs a command inside this namespace; kills it after timeoutMillis. */
    public Result exec(long timeoutMillis, String... command) throws IOException {
        return run(timeoutMillis, inside(command));
    }

    /**
     * Starts a command inside this namespace in the background (output to {@code log}); it is
     * killed by {@link #close()} if still running.
     */
    public Process start(File log, String... command) throws IOException {
        Process p = new ProcessBuilder(inside(command)).redirectErrorStream(true).redirectOutput(log)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    private String[] inside(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    // ------------------------------------------------------------------------------------------
    // code inside

    /**
     * Runs {@code task} on a fresh thread that has entered this namespace (setns(2) changes only
     * the calling thread), and returns its result. Sockets, capture handles and other fds opened
     * there stay bound to this namespace and can be used from any thread afterwards. The thread
     * ends with the task, so no pooled thread is ever left in a foreign namespace.
     */
    public <T> T call(Callable<T> task) throws Exception {
        String path = new File("/var/run/netns/" + name).exists() ? "/var/run/netns/" + name : "/run/netns/" + name;
        FutureTask<T> future = new FutureTask<>(() -> {
            int fd = Setns.open(path, O_CLOEXEC); // O_RDONLY = 0
            if (fd < 0) {
                throw new IOException("cannot open " + path + ": " + Setns.strerror(Native.getLastError()));
            }
            try {
                if (Setns.setns(fd, CLONE_NEWNET) != 0) {
                    throw new IOException("setns " + name + ": " + Setns.strerror(Native.getLastError()));
                }
            } finally {
                Setns.close(fd);
            }
            return task.call();
        });
        Thread thread = new Thread(future, "in-netns-" + name);
        thread.setDaemon(true);
        thread.start();
        try {
            return future.get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw e;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new IOException("task inside namespace " + name + " did not finish in " + COMMAND_TIMEOUT_MS + " ms");
        }
    }

    private static final int O_CLOEXEC = 0x80000;

    /** setns(2) and the calls around it, by JNA direct mapping. */
    static final class Setns {
        static {
            Native.register(Setns.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private Setns() {
        }

        static native int setns(int fd, int nstype);

        static native int open(String path, int flags);

        static native int close(int fd);

        static native String strerror(int errnum);
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
