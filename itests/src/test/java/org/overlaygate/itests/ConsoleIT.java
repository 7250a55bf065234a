package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, chromium): the web console as an operator meets it. Without the
 * password (or with the console's usual admin/admin) every page is refused; the password generated
 * at the first start is owner-only in the data directory; with it the bundle, component and
 * configuration pages answer, and headless Chromium loads the Overlays page while pings flow
 * through two overlays: the DOM shows both overlays ONLINE and a plot whose samples move on, and a
 * screenshot is kept in itests/target/console-overlays.png.
 */
public class ConsoleIT {
    private static final Path SCREENSHOT = Paths.get("target", "console-overlays.png").toAbsolutePath();

    private static int status(String url, String user, String password) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (user != null) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String body(String url, String password) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
        assertEquals(url, 200, response.statusCode());
        return response.body();
    }

    /** Headless Chromium as this machine allows it (no sandbox as root, no background network, a fresh profile). */
    private static List<String> chromium(Path profile, String... args) {
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,3400"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String run(Distribution dist, List<String> cmd) throws Exception {
        Distribution.Result r = dist.run(cmd.get(0), cmd.subList(1, cmd.size()).toArray(new String[0]));
        assertEquals(cmd + ": " + r, 0, r.status);
        return r.out;
    }

    /** The plot of one series and metric in a dumped DOM: its data-* attributes. */
    private static Map<String, String> plot(String dom, String series, String metric) {
        Matcher m = Pattern.compile("<svg[^>]*class=\"og-plot\"[^>]*data-series=\"" + Pattern.quote(series) + "\" data-metric=\"" + metric
                + "\"[^>]*>").matcher(dom);
        assertTrue("a " + metric + " plot of " + series + " in:\n" + dom, m.find());
        Map<String, String> attrs = new java.util.HashMap<>();
        Matcher a = Pattern.compile("(data-[a-z-]+)=\"([^\"]*)\"").matcher(m.group());
        while (a.find()) {
            attrs.put(a.group(1), a.group(2));
        }
        return attrs;
    }

    @Test
    public void theConsoleIsLockedAndItsOverlaysPageShowsTheOverlaysAndAMovingPlot() throws Exception {
        SystemTests.assumeSystem("ConsoleIT", "ping", "chromium");
        String tapA = SystemTests.linkName("ogca");
        String tapB = SystemTests.linkName("ogcb");
        try (Distribution dist = Distribution.copy(); Netns a = Netns.create("ogca"); Netns b = Netns.create("ogcb")) {
            int http = MetricsIT.freeTcpPort();
            dist.startCommand(Map.of("JAVA_OPTS", "-Doverlaygate.http.port=" + http), List.of(dist.home.resolve("bin/overlaygate").toString()));
            dist.awaitReady(60_000);
            String console = "http://127.0.0.1:" + http + "/system/console";
            Path passwordFile = dist.home.resolve("data/console.password");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
            String password = Files.readString(passwordFile).strip();
            assertTrue(password, password.length() >= 20);
            assertTrue("the password is never logged", !dist.log().contains(password));

            for (String page : List.of("/overlays", "/overlays/data.json", "/bundles", "/components", "/configMgr", "")) {
                assertEquals("no credentials: " + page, 401, status(console + page, null, null));
            }
            assertEquals("the console's usual default", 401, status(console + "/bundles", "admin", "admin"));
            assertEquals("a wrong password", 401, status(console + "/overlays", "admin", password + "x"));
            assertTrue(body(console + "/bundles", password).contains("org.overlaygate.varpd"));
            assertTrue(body(console + "/components", password).contains("org.overlaygate.varpd.overlay.OverlayManager"));

            SystemTests.joinThroughTwoOverlays(dist, a, b, tapA, tapB, 4444, 79);
            int pk = SystemTests.freeUdpPort("127.0.0.1");
            dist.adm("overlay:create", "-e", "vxlan", "-s", "katar", "-v", "4445", "-p", "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + pk
                    + ",katar/host=127.0.0.1", "k1");
            HttpResponse<Void> root = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "/")).header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertTrue("the console opens on the Overlays page: " + root.headers().map(),
                    root.statusCode() / 100 == 3 && root.headers().firstValue("Location").orElse("").endsWith("/system/console/overlays"));
            String configurations = body(console + "/configMgr", password);
            assertTrue("the stored overlays, in ConfigAdmin: " + configurations, configurations.contains("org.overlaygate"));
            // traffic that goes on while the page is loaded: 5 pings a second, ended with the namespace
            a.start(File.createTempFile("ping", ".log"), "ping", "-i", "0.2", "-c", "300", "192.168.79.2");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!body(console + "/overlays/data.json", password).matches("(?s).*\"name\":\"ovla\",\"overlay\":\"ovla\",\"t\":\\[\\d+,\\d+.*")) {
                assertTrue("two rate samples of ovla within 30 s", System.nanoTime() < deadline);
                Thread.sleep(200);
            }

            Path profile = Files.createTempDirectory(dist.home, "chromium");
            String page = "http://admin:" + password + "@127.0.0.1:" + http + "/system/console/overlays";
            Files.deleteIfExists(SCREENSHOT);
            run(dist, chromium(profile, "--virtual-time-budget=3000", "--screenshot=" + SCREENSHOT, page));
            assertTrue("a screenshot", Files.size(SCREENSHOT) > 20_000);

            // long enough for the page to fetch data.json and redraw by itself at least once
            String first = run(dist, chromium(profile, "--virtual-time-budget=7000", "--dump-dom", page));
            Matcher inline = Pattern.compile("\"time\":(\\d+)").matcher(first);
            Matcher redrawn = Pattern.compile("id=\"og-updated\" data-time=\"(\\d+)\">Updated ").matcher(first); // not "Cannot refresh"
            assertTrue(first, inline.find() && redrawn.find());
            assertTrue("the page redrew itself from data.json: " + redrawn.group(), Long.parseLong(redrawn.group(1)) > Long.parseLong(inline.group(1)));
            for (String overlay : List.of("ovla", "ovlb")) {
                assertTrue(first, first.contains("<td>" + overlay + "</td><td><span class=\"og-online\">ONLINE</span></td>"));
            }
            assertTrue(first, first.contains("<td>vnica</td><td>ovla</td><td>tap</td><td>" + tapA + "</td>"));
            assertTrue(first, first.contains("<td>vxlan</td><td>udp/4789</td>") || first.contains("<td>encap</td><td>vxlan</td>"));
            Map<String, String> before = plot(first, "overlay ovla", "packets");
            assertTrue(before.toString(), Integer.parseInt(before.get("data-samples")) >= 2);
            assertTrue("pings are flowing out of ovla: " + before, Double.parseDouble(before.get("data-last-out")) > 0);
            assertTrue(plot(first, "vnic vnica", "bytes").toString(), Double.parseDouble(plot(first, "vnic vnica", "bytes").get("data-last-in")) > 0);
            // troubleshooting: plots with labelled axes, in and out told apart; drops, events, the upcall queue,
            // the sockets with their offloads, the katar overlay's connection
            assertTrue(first, first.contains("class=\"og-ytitle\">packets per second</text>") && first.contains(">-10 min</text>")
                    && first.contains(">now</text>") && first.contains("class=\"og-ytick\""));
            assertTrue("out is dashed, in is not: " + first, first.matches("(?s).*<polyline[^>]*class=\"og-line og-out\" stroke-dasharray=.*")
                    && !first.matches("(?s).*<polyline[^>]*class=\"og-line og-in\" stroke-dasharray=.*"));
            assertTrue(first, first.contains("<th>Cache hits</th><th>Cache misses</th><th>Entries valid / pending / drop</th><th>Pending frames</th>"));
            assertTrue(first, first.contains("Upcall queue (misses, learned sources, address requests waiting for varpd): "));
            assertTrue(first, first.contains("<table class=\"og\" id=\"og-drops\"><tr><th>Where</th><th>Reason</th><th>Frames</th><th>Per second</th></tr>"));
            assertTrue(first, first.contains("<table class=\"og\" id=\"og-events\"><tr><th>Overlay</th><th>Event</th>"));
            assertTrue("the underlay socket with its offloads: " + first, first.matches("(?s).*<td>vxlan udp 127\\.0\\.0\\.1:\\d+</td>.*mmsg=(on|off).*"));
            assertTrue("the katar overlay's connection: " + first, first.matches("(?s).*<td>k1</td><td>katar</td><td>connections_up=1, requests_waiting=\\d+</td>.*"));

            long lastTime = Long.parseLong(before.get("data-last-time"));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!body(console + "/overlays/data.json", password).matches("(?s).*\"name\":\"ovla\",\"overlay\":\"ovla\",\"t\":\\[[^\\]]*"
                    + "(?!" + lastTime + ")\\d+\\].*") || body(console + "/overlays/data.json", password).contains(lastTime + "],\"pin\"")) {
                assertTrue("a newer sample within 30 s", System.nanoTime() < deadline);
                Thread.sleep(200);
            }
            String second = run(dist, chromium(profile, "--virtual-time-budget=3000", "--dump-dom", page));
            Map<String, String> after = plot(second, "overlay ovla", "packets");
            assertTrue("the plot moved on: " + before + " -> " + after, Long.parseLong(after.get("data-last-time")) > lastTime);
            assertNotEquals(before, after);
            System.out.println("ConsoleIT: screenshot " + SCREENSHOT + "; plot of ovla " + before + " then " + after);

            // guessing is slowed down, never locking the operator out: ten failures from 127.0.0.1 (as
            // everyone is through an SSH tunnel), and the password still gets in at once
            int failures = 2;
            while (failures < 10) {
                assertEquals(401, status(console + "/bundles", "admin", "guess" + failures++));
            }
            assertEquals(200, status(console + "/bundles", "admin", password));
        }
    }
}
