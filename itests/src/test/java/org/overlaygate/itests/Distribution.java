package org.overlaygate.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.overlaygate.testsupport.DistributionCopy;

/**
 * A private copy of the built distribution (runtime/target/overlaygate) in a temporary directory,
 * run as an operator would run it. {@link #close()} kills whatever it started and deletes the copy,
 * also when a test fails.
 */
final class Distribution implements AutoCloseable {
    final Path home;
    private final List<Process> processes = new ArrayList<>();
    /** {@code OverlayAdm.run} of this copy's launcher jar, loaded on first use by {@link #call}. */
    private Method adminClient;

    private Distribution(Path home) {
        this.home = home;
    }

    static Distribution copy() throws IOException {
        return new Distribution(DistributionCopy.copy(Paths.get(ExamOptions.prop("og.dist.dir"))));
    }

    /** Starts {@code bin/overlaygate args} with no terminal (stdin from /dev/null): headless. */
    Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/overlaygate").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(home.resolve("console-" + processes.size() + ".txt").toFile()).start();
        processes.add(p);
        return p;
    }

    /** Starts a command headless, with these environment variables added (a unit's Environment= lines, NOTIFY_SOCKET). */
    Process startCommand(java.util.Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(home.resolve("console-" + processes.size() + ".txt").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /**
     * Starts {@code bin/overlaygate args} headless inside a network namespace: one host of a test
     * network. Its admin socket is this copy's own, so {@link #adm} reaches it from the root namespace.
     */
    Process startIn(org.overlaygate.testsupport.Netns ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/overlaygate").toString()));
        cmd.addAll(List.of(args));
        Process p = ns.start(home.resolve("console-" + processes.size() + ".txt").toFile(), cmd.toArray(new String[0]));
        processes.add(p);
        return p;
    }

    /** Starts a command line under {@code script}, which gives it a pseudo-terminal: interactive. */
    Process startOnTerminal(String commandLine) throws IOException {
        Process p = new ProcessBuilder("script", "-qfec", commandLine, "/dev/null").directory(home.toFile())
                .redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    String console(int index) throws IOException {
        return Files.readString(home.resolve("console-" + index + ".txt"), StandardCharsets.UTF_8);
    }

    Path socket() {
        return home.resolve("run/overlayadm.sock");
    }

    Path pidFile() {
        return home.resolve("run/overlaygate.pid");
    }

    String log() throws IOException {
        Path log = home.resolve("log/overlaygate.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Waits until the admin socket answers, or fails with the log's tail. */
    void awaitReady(long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            // The pid file appears once the appliance is ready (every command registered).
            if (Files.exists(pidFile()) && Files.exists(socket()) && overlayadm("help").status == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("appliance not ready within " + timeoutMs + " ms; log:\n" + log());
    }

    /** The result of one {@code bin/overlayadm} run. */
    static final class Result {
        final int status;
        final String out;
        final String err;

        Result(int status, String out, String err) {
            this.status = status;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    Result overlayadm(String... args) throws Exception {
        return run(home.resolve("bin/overlayadm").toString(), args);
    }

    Result run(String program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(program));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within 60 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** Stops the appliance started by {@link #start} with SIGTERM and waits for it. */
    void stop(Process appliance) throws InterruptedException {
        appliance.destroy();
        if (!appliance.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the appliance did not stop within 30 s of SIGTERM");
        }
    }

    /**
     * What {@code bin/overlayadm args} does, done by the same client class (the launcher jar's
     * {@code OverlayAdm}) in this JVM instead of a JVM of its own: for callers that ask several
     * times a second (a soak's sampler), where a JVM per command would load the machine.
     */
    Result call(String... args) throws Exception {
        Method run;
        synchronized (this) {
            if (adminClient == null) {
                URLClassLoader loader = new URLClassLoader(new URL[] {home.resolve("lib/overlaygate-launcher.jar").toUri().toURL()}, null);
                adminClient = loader.loadClass("org.overlaygate.launcher.OverlayAdm").getDeclaredMethod("run", String[].class,
                        PrintStream.class, PrintStream.class);
                adminClient.setAccessible(true); // package-private: the class is the command's own, not an API
            }
            run = adminClient;
        }
        List<String> words = new ArrayList<>(List.of("--socket", socket().toString()));
        words.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = (Integer) run.invoke(null, words.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code bin/overlayadm} and fails the test, with the output, unless it succeeds. */
    String adm(String... args) throws Exception {
        Result r = overlayadm(args);
        if (r.status != 0) {
            throw new AssertionError("overlayadm " + String.join(" ", args) + " failed: " + r);
        }
        return r.out;
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.destroy(); // SIGTERM first: the appliance removes its TAP devices and sockets
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        PidFileProcess.kill(pidFile());
        DistributionCopy.delete(home);
    }

    /** The appliance a pid file names (a --daemon start is not our child). */
    static final class PidFileProcess {
        private PidFileProcess() {
        }

        static void kill(Path pidFile) throws IOException {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
