package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The built distribution as a process, the way an operator uses it: start it headless, talk to it
 * with bin/overlayadm, drop a plugin in, stop it with SIGTERM; start it as a daemon and stop it;
 * start it on a terminal and use the Gogo prompt.
 */
public class DistributionIT {
    private static final long START_MS = 60_000;

    @Test
    public void headlessStartOverlayadmAndSigterm() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            Process appliance = dist.start();
            dist.awaitReady(START_MS);
            assertEquals(appliance.pid(), Long.parseLong(Files.readString(dist.pidFile()).trim()));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dist.socket())));

            Distribution.Result plugins = dist.overlayadm("overlay:plugins");
            assertEquals(plugins.toString(), 0, plugins.status);
            assertTrue(plugins.out, plugins.out.lines().anyMatch(l -> l.matches("encap\\s+vxlan\\s+udp/4789\\s+org.overlaygate.encap.vxlan\\s+\\S+\\s+ACTIVE")));
            assertTrue(plugins.out, plugins.out.lines().anyMatch(l -> l.matches("search\\s+direct\\s+point\\s+org.overlaygate.search.direct\\s+\\S+\\s+ACTIVE")));
            assertTrue(plugins.out, plugins.out.lines().anyMatch(l -> l.matches("encap\\s+geneve\\s+udp/6081\\s+org.overlaygate.encap.geneve\\s+\\S+\\s+ACTIVE")));
            assertTrue(plugins.out, plugins.out.lines().anyMatch(l -> l.matches("search\\s+files\\s+dynamic\\s+org.overlaygate.search.files\\s+\\S+\\s+ACTIVE")));
            assertTrue("the router, a drop-in of another kind, is listed as working: " + plugins.out, plugins.out.lines()
                    .anyMatch(l -> l.matches("extension\\s+overlay-router\\.jar\\s+--\\s+org.overlaygate.overlay.router\\s+\\S+\\s+ACTIVE")));
            assertFalse("every jar of plugins.d/ installed once, from there alone: " + plugins.out,
                    plugins.out.lines().anyMatch(l -> l.startsWith("file ")));

            Distribution.Result unknown = dist.overlayadm("overlay:nonsense");
            assertEquals(unknown.toString(), 1, unknown.status);
            assertEquals("command not found: overlay:nonsense; help lists the appliance's commands\n", unknown.err);
            assertEquals("command not found: overlay:creat (did you mean overlay:create?); help lists the appliance's commands\n",
                    dist.overlayadm("overlay:creat").err);

            Files.write(dist.home.resolve("plugins.d/not-a-bundle.jar"), new byte[] {'P', 'K', 3, 4});
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String listing;
            do {
                Thread.sleep(200);
                listing = dist.overlayadm("overlay:plugins").out;
            } while (!listing.contains("not-a-bundle.jar") && System.nanoTime() < deadline);
            assertTrue(listing, listing.contains("file not-a-bundle.jar: FAILED: not a readable jar"));

            appliance.destroy(); // SIGTERM
            assertTrue("stopped within 30 s after SIGTERM", appliance.waitFor(30, TimeUnit.SECONDS));
            String log = dist.log();
            assertTrue(log, log.contains("appliance stopped"));
            assertTrue(log, log.contains("admin socket " + dist.socket() + " closed"));
            assertFalse("pid file removed", Files.exists(dist.pidFile()));
            assertFalse("socket removed", Files.exists(dist.socket()));

            Distribution.Result none = dist.overlayadm("overlay:plugins");
            assertEquals(none.toString(), 2, none.status);
            assertTrue(none.err, none.err.startsWith("overlayadm: no appliance is running"));

            String console = dist.console(0);
            assertFalse("no stack trace on the console:\n" + console, console.contains("\tat "));
        }
    }

    @Test
    public void daemonStartsInTheBackgroundAndStops() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            Distribution.Result started = dist.run(dist.home.resolve("bin/overlaygate").toString(), "--daemon");
            assertEquals(started.toString(), 0, started.status);
            Matcher m = Pattern.compile("pid (\\d+)").matcher(started.out);
            assertTrue(started.out, m.find());
            long pid = Long.parseLong(m.group(1));
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            dist.awaitReady(START_MS);
            assertEquals(0, dist.overlayadm("overlay:plugins").status);

            Distribution.Result again = dist.run(dist.home.resolve("bin/overlaygate").toString());
            assertEquals(again.toString(), 1, again.status);
            assertTrue(again.err, again.err.contains("already running from this distribution (pid " + pid + ")"));

            Distribution.Result stopped = dist.run(dist.home.resolve("bin/overlaygate").toString(), "stop");
            assertEquals(stopped.toString(), 0, stopped.status);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertFalse(Files.exists(dist.pidFile()));
        }
    }

    @Test
    public void theHeapIsBoundedByOverlaygateHeapWithACollectorThatReturnsMemory() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            String overlaygate = dist.home.resolve("bin/overlaygate").toString();
            Distribution.Result bad = dist.run("env", "OVERLAYGATE_HEAP=lots", overlaygate, "--daemon");
            assertEquals(bad.toString(), 2, bad.status);
            assertEquals("overlaygate: OVERLAYGATE_HEAP='lots' is no heap size (say 512m or 2g)\n", bad.err);

            Distribution.Result started = dist.run("env", "OVERLAYGATE_HEAP=200m", overlaygate, "--daemon");
            assertEquals(started.toString(), 0, started.status);
            dist.awaitReady(START_MS);
            long pid = Long.parseLong(Files.readString(dist.pidFile()).trim());
            java.util.List<String> jvm = java.util.List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
            assertTrue(jvm.toString(), jvm.containsAll(java.util.List.of("-Xmx200m", "-Xms32m", "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=30000")));
            assertFalse(jvm.toString(), jvm.contains("-XX:+UseParallelGC"));
            assertEquals(0, dist.run(overlaygate, "stop").status);
        }
    }

    /** Waits until {@code text} was printed {@code times} times on the terminal (30 s at most). */
    private static void awaitScreen(StringBuffer seen, String text, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.toString().split(Pattern.quote(text), -1).length - 1 < times) {
            assertTrue("'" + text + "' " + times + " times within 30 s on:\n" + seen, System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    @Test
    public void interactiveStartGivesTheGogoPrompt() throws Exception {
        assertTrue("the 'script' command (util-linux) gives the appliance a terminal", Files.isExecutable(Paths.get("/usr/bin/script")));
        try (Distribution dist = Distribution.copy()) {
            // a terminal of a person's size (script's own has no width, and JLine then cuts the prompt)
            Process shell = dist.startOnTerminal("stty cols 160 rows 50; exec " + dist.home.resolve("bin/overlaygate"));
            dist.awaitReady(START_MS);
            StringBuffer seen = new StringBuffer();
            Thread reader = new Thread(() -> {
                byte[] b = new byte[4096];
                try (var in = shell.getInputStream()) {
                    for (int n; (n = in.read(b)) > 0;) {
                        seen.append(new String(b, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (java.io.IOException e) {
                    // the terminal closed
                }
            });
            reader.start();
            try (OutputStream keys = shell.getOutputStream()) {
                // as a person types them: a listing, a command's help, a mistake, a typo, help, Ctrl-D, a listing again, then exit
                awaitScreen(seen, "overlaygate> ", 1);
                int prompts = 1;
                for (String line : new String[] {"overlay:plugins", "overlay:create -h", "overlay:create -s direct -v 1 ovl0",
                    "overlay:show nope", "overlay:creat -e vxlan", "help overlay", "help overlay:create"}) {
                    keys.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    keys.flush();
                    awaitScreen(seen, "overlaygate> ", ++prompts);
                }
                keys.write(4); // Ctrl-D at an empty prompt
                keys.flush();
                awaitScreen(seen, "Ctrl-D does not stop the appliance", 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!seen.substring(seen.indexOf("Ctrl-D does not stop the appliance")).contains("overlaygate> ")) {
                    assertTrue("a new prompt after Ctrl-D within 30 s:\n" + seen, System.nanoTime() < deadline);
                    Thread.sleep(20);
                }
                prompts = seen.toString().split("overlaygate> ", -1).length - 1;
                assertTrue("still running after Ctrl-D", shell.isAlive() && Files.exists(dist.pidFile()));
                keys.write("overlay:plugins\n".getBytes(StandardCharsets.UTF_8));
                keys.flush();
                awaitScreen(seen, "overlaygate> ", ++prompts);
                keys.write("exit 0\n".getBytes(StandardCharsets.UTF_8));
                keys.flush();
                assertTrue("the shell's exit stops the appliance", shell.waitFor(30, TimeUnit.SECONDS));
            }
            reader.join(10_000);
            String screen = seen.toString().replaceAll("\u001B(\\[[0-9;?]*[A-Za-z]|[=>])", "").replace("\r", "");
            assertTrue(screen, screen.contains("Overlay Gate " + ExamOptions.prop("og.version")));
            assertTrue(screen, screen.contains("Try overlay:plugins, help overlay, or any command with -h."));
            assertFalse(screen, screen.contains("Welcome to Apache Felix Gogo"));
            assertTrue(screen, screen.contains("overlaygate> "));
            assertFalse(screen, screen.contains("g! "));
            assertEquals(screen, 2, screen.lines().filter(l -> l.matches(".*encap\\s+vxlan\\s+udp/4789.*ACTIVE.*")).count());
            assertTrue(screen, screen.contains("usage: overlay:create -e ENCAP"));
            assertTrue(screen, screen.contains("  -v VNETID "));
            assertTrue(screen, screen.lines().anyMatch(l -> l.startsWith("missing -e ENCAP (usage: overlay:create")));
            assertTrue(screen, screen.lines().anyMatch(l -> l.equals("no overlay nope")));
            assertFalse(screen, screen.contains("IllegalArgumentException"));
            assertTrue(screen, screen.contains("command not found: overlay:creat (did you mean overlay:create?)"));
            assertFalse(screen, screen.contains("CommandNotFoundException"));
            assertTrue("help overlay lists the scope with usage:\n" + screen, screen.contains("usage: overlay:delete NAME"));
            assertFalse("help overlay:create is the command's own: " + screen, screen.contains("parameters:"));
            assertFalse(screen, screen.contains("gosh: stopping framework"));
            assertFalse(screen, screen.contains("unknown option -h"));
            assertFalse("a real terminal, not JLine's dumb fallback:\n" + dist.log(), dist.log().contains("creating a dumb terminal"));
            assertFalse(Files.exists(dist.pidFile()));
        }
    }
}
