package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, ip, ping, promtool): GET /metrics of the real distribution (with the router
 * plugin's series once a router answers a VM) passes
 * {@code promtool check metrics}, binds to loopback only, and its counters move with traffic:
 * pings between two namespaces through two VXLAN overlays, and a katar request. Operations and
 * sockets are labels, families are there at 0 from the start, no ratio is exported; the JVM's and
 * the process's metrics and the build are there, and a katar overlay's client counters.
 */
public class MetricsIT {

    /** A free TCP port on loopback (the appliance's HTTP port in this test). */
    static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(url + ": " + r.body(), 200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    /** The value of one sample, {@code name{labels}} exactly as written, or 0 when absent. */
    static double sample(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** promtool's lint of an exposition: nothing to say, exit 0. */
    static void promtool(Distribution dist, String metrics) throws Exception {
        Path file = Files.createTempFile(dist.home, "metrics", ".txt");
        Files.writeString(file, metrics);
        Distribution.Result r = dist.run("sh", "-c", "promtool check metrics < " + file);
        assertEquals("promtool check metrics: " + r, 0, r.status);
        assertEquals("promtool check metrics: " + r, "", r.out + r.err);
    }

    /** A client that sends a header a byte at a time is disconnected (the deadline is 1 s here, 10 s by default). */
    static void assertSlowHeadersAreCutOff(int port) throws Exception {
        try (java.net.Socket slow = new java.net.Socket("127.0.0.1", port)) {
            java.io.OutputStream out = slow.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            slow.setSoTimeout(200);
            boolean[] closed = {false};
            org.overlaygate.testsupport.Await.until("the connection whose headers never end is closed", 30_000, () -> {
                try {
                    out.write('X');
                    out.flush();
                    closed[0] = slow.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException e) {
                    return false;
                } catch (java.io.IOException e) {
                    closed[0] = true;
                }
                return closed[0];
            });
        }
    }

    @Test
    public void metricsPassPromtoolBindToLoopbackAndMoveWithTraffic() throws Exception {
        SystemTests.assumeSystem("MetricsIT", "ping", "promtool", "ss");
        String tapA = SystemTests.linkName("ogma");
        String tapB = SystemTests.linkName("ogmb");
        try (Distribution dist = Distribution.copy(); Netns a = Netns.create("ogma"); Netns b = Netns.create("ogmb")) {
            int http = freeTcpPort();
            dist.startCommand(Map.of("JAVA_OPTS", "-Doverlaygate.http.port=" + http + " -Doverlaygate.http.header.timeout.ms=1000"),
                    List.of(dist.home.resolve("bin/overlaygate").toString()));
            dist.awaitReady(60_000);
            String url = "http://127.0.0.1:" + http + "/metrics";
            HttpResponse<String> trace = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .method("TRACE", HttpRequest.BodyPublishers.noBody()).header("X-Echo", "secret").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("TRACE is not answered: " + trace.body(), 405, trace.statusCode());
            assertTrue(trace.body(), !trace.body().contains("secret"));
            assertSlowHeadersAreCutOff(http);
            Netns.Result listening = Netns.run("ss", "-Hltn", "sport", "=", ":" + http);
            assertTrue("listening: " + listening.output, !listening.output.isBlank());
            for (String line : listening.output.trim().split("\n")) {
                // Jetty's socket may be IPv6 with a v4-mapped address: loopback still
                assertTrue("loopback only by default: " + line, line.matches("LISTEN\\s+\\d+\\s+\\d+\\s+(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]):" + http + "\\s.*"));
            }

            int pa = SystemTests.joinThroughTwoOverlays(dist, a, b, tapA, tapB, 4343, 78)[0];

            String before = get(url);
            promtool(dist, before);
            Netns.Result ping = a.exec("ping", "-c", "20", "-i", "0.05", "-W", "2", "192.168.78.2");
            assertEquals(ping.toString(), 0, ping.exitCode);
            assertEquals(0, dist.run(dist.home.resolve("bin/katar-client").toString(), "ping").status);
            String after = get(url);
            promtool(dist, after);

            for (String series : List.of("overlaygate_overlay_packets_total{direction=\"out\",overlay=\"ovla\"}",
                    "overlaygate_overlay_packets_total{direction=\"in\",overlay=\"ovlb\"}",
                    "overlaygate_vnic_packets_total{direction=\"in\",overlay=\"ovla\",vnic=\"vnica\"}",
                    "overlaygate_vnic_packets_total{direction=\"out\",overlay=\"ovlb\",vnic=\"vnicb\"}",
                    "overlaygate_underlay_packets_total{address=\"127.0.0.1\",direction=\"out\",encapsulation=\"vxlan\",port=\"" + pa
                            + "\",transport=\"udp\"}")) {
                assertTrue(series + " moved by the 20 pings: " + sample(before, series) + " -> " + sample(after, series) + "\n" + after,
                        sample(after, series) - sample(before, series) >= 20);
            }
            assertTrue(after, sample(after, "overlaygate_overlay_bytes_total{direction=\"out\",overlay=\"ovla\"}")
                    - sample(before, "overlaygate_overlay_bytes_total{direction=\"out\",overlay=\"ovla\"}") >= 20 * 84);
            assertEquals(1, sample(after, "overlaygate_overlay_online{overlay=\"ovla\"}"), 0);
            assertTrue(after, after.contains("overlaygate_overlay_info{encapsulation=\"vxlan\",invalidation=\"none\",overlay=\"ovla\",search=\"direct\","
                    + "vnet_id=\"4343\"} 1"));
            assertTrue(after, after.contains("overlaygate_plugin_info{bundle=\"org.overlaygate.encap.vxlan\",kind=\"encap\",name=\"vxlan\","));
            assertTrue(after, after.contains("overlaygate_overlay_cache_entries{overlay=\"ovla\",state=\"valid\"} "));
            assertTrue(after, after.contains("overlaygate_upcall_queue_length "));
            assertEquals(1, sample(after, "overlaygate_katar_requests_total{op=\"ping\"}") - sample(before, "overlaygate_katar_requests_total{op=\"ping\"}"), 0);
            assertTrue("every operation from the start: " + before, before.contains("overlaygate_katar_requests_total{op=\"vl3_req\"} "));
            assertTrue("every drop reason from the start: " + before,
                    before.contains("overlaygate_overlay_dropped_packets_total{overlay=\"ovla\",reason=\"pending_full\"} 0.0"));
            assertTrue("no ratio gauges: " + after, !after.contains("_ratio"));
            assertTrue("the socket's offloads: " + after, after.contains("overlaygate_underlay_offload_on{address=\"127.0.0.1\",encapsulation=\"vxlan\",offload=\"mmsg\",port=\"" + pa + "\",transport=\"udp\"} "));
            assertTrue(after, after.contains("overlaygate_build_info{version=\"" + ExamOptions.prop("og.version") + "\"} 1"));
            for (String jvm : List.of("jvm_memory_used_bytes{area=\"heap\"} ", "jvm_threads_current ", "process_resident_memory_bytes ",
                    "process_cpu_seconds_total ", "jvm_gc_collection_seconds_count{")) {
                assertTrue(jvm + " in " + after, after.contains(jvm));
            }

            // a router (the drop-in in plugins.d/) on ovla: VM a pings its address; its counters move, promtool is content
            dist.adm("router:create", "r1");
            dist.adm("router:attach", "r1", "ovla", "192.168.78.254/24");
            Netns.Result gateway = a.exec("ping", "-c", "5", "-i", "0.05", "-W", "2", "192.168.78.254");
            assertEquals(gateway.toString(), 0, gateway.exitCode);
            String routed = get(url);
            promtool(dist, routed);
            assertEquals(routed, 1, sample(routed, "overlaygate_router_routers"), 0);
            assertTrue(routed, sample(routed, "overlaygate_router_events_total{event=\"echo_answered\"}") >= 5);
            assertTrue(routed, sample(routed, "overlaygate_router_events_total{event=\"arp_answered\"}") >= 1);
            assertTrue("every drop reason from the start: " + routed,
                    routed.contains("overlaygate_router_dropped_packets_total{reason=\"blackhole\"} 0.0"));
            assertTrue(routed, routed.contains("overlaygate_router_packets_routed_total 0.0"));

            // a katar overlay: the search plugin's own counters, per overlay
            int pk = SystemTests.freeUdpPort("127.0.0.1");
            dist.adm("overlay:create", "-e", "vxlan", "-s", "katar", "-v", "4345", "-p", "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + pk
                    + ",katar/host=127.0.0.1", "k1");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            String katar = get(url);
            while (sample(katar, "overlaygate_search_katar_connections_up{overlay=\"k1\"}") < 1) {
                assertTrue("k1 connected to the katar server within 30 s:\n" + katar, System.nanoTime() < deadline);
                Thread.sleep(100);
                katar = get(url);
            }
            promtool(dist, katar);
            for (String family : List.of("overlaygate_search_katar_connects_total{overlay=\"k1\"} ",
                    "overlaygate_search_katar_reconnects_total{overlay=\"k1\"} ", "overlaygate_search_katar_lookups_total{overlay=\"k1\"} ",
                    "overlaygate_search_katar_lookup_duration_seconds_count{overlay=\"k1\"} ")) {
                assertTrue(family + " in " + katar, katar.contains(family));
            }
            assertTrue(after, sample(after, "overlaygate_katar_request_duration_seconds_count") >= 1);
            assertTrue(after, sample(after, "overlaygate_metrics_scrapes_total") >= 1);
        }
    }
}
