package org.overlaygate.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * An appliance of a benchmark's own: a private copy of the distribution, run in the foreground (in
 * a namespace, or the root one) with extra JVM options, driven through its {@code bin/overlayadm};
 * closing it stops it (SIGTERM: it removes its TAP devices and sockets) and deletes the copy.
 */
final class Appliance implements AutoCloseable {
    final Path home;
    private final String javaOptions;
    Process process;

    /** @param javaOptions added to JAVA_OPTS (e.g. {@code -Doverlaygate.core.offloads=none}), or "" */
    Appliance(Path home, String javaOptions) {
        this.home = home;
        this.javaOptions = javaOptions;
    }

    void start(Netns ns) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns.name())); // execs: the process is the JVM itself
        }
        cmd.add(home.resolve("bin/overlaygate").toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(home.resolve("log/console.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (!javaOptions.isBlank()) {
            String opts = System.getenv().getOrDefault("JAVA_OPTS", "");
            pb.environment().put("JAVA_OPTS", (opts + " " + javaOptions).trim());
        }
        process = pb.start();
        for (int i = 0; i < 600; i++) {
            if (Files.exists(home.resolve("run/overlaygate.pid")) && Files.exists(home.resolve("run/overlayadm.sock"))) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new IOException("the appliance did not start; see " + home.resolve("log"));
    }

    /** An overlay over {@code encap} from {@code listen} to {@code dest} (ports only for VXLAN). */
    void overlay(String encap, String name, String listen, int listenPort, String dest, int destPort) throws Exception {
        if (encap.equals("vxlan")) {
            adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4242", "-p", "vxlan/listen_ip=" + listen, "-p",
                    "vxlan/listen_port=" + listenPort, "-p", "direct/dest_ip=" + dest, "-p", "direct/dest_port=" + destPort, "-p",
                    "mtu=" + Throughput.OVERLAY_MTU, name);
        } else {
            adm("overlay:create", "-e", encap, "-s", "direct", "-v", "5001", "-p", encap + "/listen_ip=" + listen, "-p",
                    "direct/dest_ip=" + dest, "-p", "mtu=" + Throughput.OVERLAY_MTU, name);
        }
    }

    String adm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/overlayadm").toString()));
        cmd.addAll(List.of(args));
        Netns.Result r = Netns.run(cmd.toArray(new String[0]));
        if (r.exitCode != 0) {
            throw new IOException("overlayadm " + String.join(" ", args) + ": " + r.output);
        }
        return r.output;
    }

    /** utime + stime of the JVM so far, in ticks. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5), counted from state = 3
    }

    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone: nothing resident
        }
        return 0;
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.destroy(); // SIGTERM: the appliance removes its TAP devices and sockets
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        DistributionCopy.delete(home);
    }
}
