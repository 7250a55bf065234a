package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * Ready when it says so: the appliance is started and driven at once, many times, by every route an
 * operator or a script uses — in the foreground (the admin socket appears: benchmarks/throughput.sh
 * waited for that and once met "Command not found: overlay:create"), with --daemon (it returns), and
 * with the systemd unit's command (READY=1 on the notification socket). The first command after
 * each signal must find every command registered and the stored overlay restored, ONLINE with its
 * plugins from plugins.d bound.
 */
public class ReadinessIT {
    private static final int ROUNDS = 4;
    private static final long START_MS = 60_000;

    private enum Route {
        FOREGROUND, DAEMON, UNIT
    }

    @Test
    public void readyByEveryRouteTheMomentItSaysSo() throws Exception {
        Path unit = Paths.get(ExamOptions.prop("og.unit.file"));
        List<String> execStart = unitExecStart(unit);
        Map<String, String> unitEnv = unitEnvironment(unit);
        try (Distribution dist = Distribution.copy()) {
            int port = SystemTests.freeUdpPort("127.0.0.1");
            Process first = dist.start();
            dist.awaitReady(START_MS);
            dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "100", "-p",
                    "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + port + ",direct/dest_ip=127.0.0.2,direct/dest_port=4789", "stored");
            dist.stop(first);

            List<String> timings = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (Route route : Route.values()) {
                    long t0 = System.nanoTime();
                    Process appliance = null;
                    NotifySocket notify = null;
                    switch (route) {
                        case FOREGROUND:
                            appliance = dist.start();
                            awaitFile(dist.socket(), appliance);
                            break;
                        case DAEMON:
                            Distribution.Result started = dist.run(dist.home.resolve("bin/overlaygate").toString(), "--daemon");
                            assertEquals(started.toString(), 0, started.status);
                            break;
                        default:
                            notify = new NotifySocket(dist.home.resolve("notify-" + round + ".sock"));
                            Map<String, String> env = new LinkedHashMap<>(unitEnv);
                            env.put("NOTIFY_SOCKET", notify.path.toString());
                            List<String> cmd = new ArrayList<>();
                            execStart.forEach(w -> cmd.add(w.replace("/opt/overlaygate", dist.home.toString())));
                            appliance = dist.startCommand(env, cmd);
                            String message = notify.await(START_MS, TimeUnit.MILLISECONDS);
                            assertNotNull("no READY=1 from the unit's command; log:\n" + dist.log(), message);
                            assertTrue(message, message.startsWith("READY=1\nSTATUS=ready"));
                    }
                    long readyMs = (System.nanoTime() - t0) / 1_000_000;

                    // at once, as a script would
                    assertEquals("stored:ONLINE\n", dist.adm("overlay:show", "-f", "-p", "-o", "link,status", "stored"));
                    String name = "o" + round + route.name().toLowerCase().charAt(0);
                    int p2 = SystemTests.freeUdpPort("127.0.0.1");
                    String created = dist.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "101",
                            "-p", "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + p2 + ",direct/dest_ip=127.0.0.3,direct/dest_port=4789", name);
                    assertTrue(created, created.contains("ONLINE"));
                    dist.adm("overlay:delete", name);
                    assertTrue(dist.adm("vnic:show").contains("no VNICs"));
                    assertTrue(dist.adm("katar:show", "server").startsWith("LISTEN")); // another bundle's commands
                    timings.add(route.name().toLowerCase() + " " + readyMs + " ms");

                    if (route == Route.DAEMON) {
                        assertEquals(0, dist.run(dist.home.resolve("bin/overlaygate").toString(), "stop").status);
                    } else {
                        dist.stop(appliance);
                    }
                    if (notify != null) {
                        String stopping = notify.await(10, TimeUnit.SECONDS);
                        assertNotNull("STOPPING=1 at SIGTERM", stopping);
                        assertTrue(stopping, stopping.startsWith("STOPPING=1"));
                        notify.close();
                    }
                }
            }
            System.out.println("ReadinessIT: " + timings.size() + " starts, from start to ready: " + String.join(", ", timings));
            String log = dist.log();
            assertTrue(log, !log.contains("declaring it ready anyway"));
        }
    }

    /**
     * An appliance killed with SIGKILL leaves its admin socket behind. The next --daemon returns
     * only once the new appliance answers on it: overlayadm works at once, never "Connection refused".
     */
    @Test
    public void afterASigkillDaemonReturnsOnlyWhenTheNewApplianceAnswers() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            String launcher = dist.home.resolve("bin/overlaygate").toString();
            try {
                killAndRestart(dist, launcher);
            } finally {
                dist.run(launcher, "stop"); // whatever happened: no appliance left behind
            }
        }
    }

    private static void killAndRestart(Distribution dist, String launcher) throws Exception {
        for (int round = 0; round < 3; round++) {
            Distribution.Result started = dist.run(launcher, "--daemon");
            assertEquals(started.toString(), 0, started.status);
            dist.adm("overlay:show"); // ready: it answers
            long pid = Long.parseLong(Files.readString(dist.home.resolve("run/overlaygate.pid")).trim());
            ProcessHandle appliance = ProcessHandle.of(pid).orElseThrow();
            assertEquals(0, dist.run("kill", "-KILL", Long.toString(pid)).status);
            appliance.onExit().get(30, TimeUnit.SECONDS);
            assertTrue("SIGKILL leaves the socket file behind", Files.exists(dist.socket()));

            started = dist.run(launcher, "--daemon");
            assertEquals(started.toString(), 0, started.status);
            Distribution.Result at = dist.overlayadm("overlay:show");
            assertEquals("overlayadm at once after --daemon returned: " + at, 0, at.status);
            assertEquals(0, dist.run(launcher, "stop").status);
        }
    }

    /** Waits, as benchmarks/throughput.sh does, for the admin socket to exist, and nothing else. */
    private static void awaitFile(Path socket, Process appliance) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MS);
        while (!Files.exists(socket)) {
            assertTrue("the appliance exited", appliance.isAlive());
            assertTrue("no admin socket within " + START_MS + " ms", System.nanoTime() < deadline);
            Thread.sleep(5);
        }
    }

    private static List<String> unitLines(Path unit, String key) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(unit)) {
            if (line.startsWith(key + "=")) {
                out.add(line.substring(key.length() + 1).trim());
            }
        }
        return out;
    }

    /** The unit's ExecStart= line, split into words (it has no quoting). */
    static List<String> unitExecStart(Path unit) throws Exception {
        List<String> lines = unitLines(unit, "ExecStart");
        assertEquals("one ExecStart= line: " + lines, 1, lines.size());
        return List.of(lines.get(0).split("\\s+"));
    }

    /** The unit's Environment= settings. */
    static Map<String, String> unitEnvironment(Path unit) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : unitLines(unit, "Environment")) {
            for (String kv : line.split("\\s+")) {
                env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return env;
    }
}
