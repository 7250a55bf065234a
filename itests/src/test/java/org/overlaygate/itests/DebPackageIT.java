package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, dpkg, systemd-analyze, setpriv): the Debian package as an operator installs
 * it. dpkg -i puts the distribution under /opt/overlaygate, the configuration under
 * /etc/overlaygate, overlayadm on the PATH and the unit, which systemd-analyze verifies, and makes
 * the system user. The appliance is started as the unit starts it (its ExecStart line, as its user
 * with its capabilities, its umask, its environment, and a notification socket for READY=1) and
 * does as that user, through the installed overlayadm, what it does as root: a TAP VNIC, NVGRE's
 * raw socket, an interface attached through pcap. dpkg -r removes everything but the configuration
 * and the data; dpkg --purge those too, and the user. Whatever happens, the test purges the package
 * and removes what it made; it uses ports of its own and the package's own admin socket, so an
 * appliance another test runs is not disturbed.
 */
public class DebPackageIT {
    private static final String UNIT = "/lib/systemd/system/overlaygate.service";

    private static Netns.Result run(String... cmd) throws Exception {
        return Netns.run(cmd);
    }

    private static Path deb() throws Exception {
        try (DirectoryStream<Path> debs = Files.newDirectoryStream(Paths.get(ExamOptions.prop("og.dist.dir")).getParent(), "overlaygate_*_all.deb")) {
            for (Path p : debs) {
                return p;
            }
        }
        throw new AssertionError("no runtime/target/overlaygate_*_all.deb: the runtime build makes it");
    }

    /** The values of a key of the unit, in order (a key may be given several times). */
    private static List<String> unit(String key) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(UNIT))) {
            if (line.startsWith(key + "=")) {
                out.add(line.substring(key.length() + 1).trim());
            }
        }
        return out;
    }

    private static String one(String key) throws Exception {
        List<String> v = unit(key);
        assertEquals(key + "= once in the unit", 1, v.size());
        return v.get(0);
    }

    /** CAP_NET_ADMIN CAP_NET_RAW as setpriv writes them: -all,+net_admin,+net_raw. */
    private static String caps(String unitValue) {
        StringBuilder b = new StringBuilder("-all");
        for (String c : unitValue.split("\\s+")) {
            b.append(",+").append(c.toLowerCase().replaceFirst("^cap_", ""));
        }
        return b.toString();
    }

    private static void owned(Path dir, String mode) throws Exception {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(dir + " owner", "overlaygate", a.owner().getName());
        assertEquals(dir + " mode", mode, PosixFilePermissions.toString(a.permissions()));
    }

    private static void cleanUp(Process appliance, String tap, String dummy) throws Exception {
        if (appliance != null) {
            appliance.destroy();
            if (!appliance.waitFor(30, TimeUnit.SECONDS)) {
                appliance.destroyForcibly();
            }
        }
        Netns.run(120_000, "dpkg", "--purge", "overlaygate");
        run("setfacl", "-x", "u:overlaygate", "/dev/net/tun");
        if (run("getent", "passwd", "overlaygate").exitCode == 0) {
            run("userdel", "overlaygate");
        }
        if (run("getent", "group", "overlaygate").exitCode == 0) {
            run("groupdel", "overlaygate");
        }
        for (String dir : List.of("/etc/overlaygate", "/var/lib/overlaygate", "/var/log/overlaygate", "/run/overlaygate", "/opt/overlaygate")) {
            run("rm", "-rf", dir);
        }
        run("ip", "link", "del", tap);
        run("ip", "link", "del", dummy);
    }

    @Test
    public void installRunAsTheUnitDoesRemoveAndPurge() throws Exception {
        SystemTests.assumeSystem("DebPackageIT", "dpkg", "systemd-analyze", "setpriv", "ip");
        if (run("dpkg", "-s", "overlaygate").exitCode == 0 || run("getent", "passwd", "overlaygate").exitCode == 0) {
            Netns.skipOrFail("DebPackageIT", "the package or the user overlaygate is already on this machine; the test installs and purges its own");
        }
        Path deb = deb();
        String tap = SystemTests.linkName("ogdt");
        String dummy = SystemTests.linkName("ogdd");
        Process appliance = null;
        Path scratch = Files.createTempDirectory("og-deb");
        String uid = "none";
        try {
            Netns.Result install = Netns.run(120_000, "dpkg", "-i", deb.toString());
            assertEquals(install.toString() + "\n" + install.output, 0, install.exitCode);
            if (Files.isDirectory(Paths.get("/run/systemd/system"))) {
                // on a machine that runs systemd, postinst started the service: this test runs its own copy
                assertEquals(0, run("systemctl", "stop", "overlaygate.service").exitCode);
            }
            for (String file : List.of("/opt/overlaygate/bin/overlaygate", "/opt/overlaygate/lib/overlaygate-launcher.jar", "/usr/bin/overlayadm",
                    "/usr/bin/katar-client", "/etc/overlaygate/config.properties", "/etc/overlaygate/logback.xml", UNIT,
                    "/usr/share/doc/overlaygate/README.md")) {
                assertTrue(file, Files.exists(Paths.get(file)));
            }
            assertEquals(Paths.get("/etc/overlaygate"), Files.readSymbolicLink(Paths.get("/opt/overlaygate/etc")));
            assertTrue(run("dpkg-query", "--showformat=${Conffiles}", "--show", "overlaygate").output.contains("/etc/overlaygate/config.properties"));
            assertEquals(0, run("getent", "passwd", "overlaygate").exitCode);
            owned(Paths.get("/var/lib/overlaygate"), "rwx------");
            owned(Paths.get("/run/overlaygate"), "rwx------");

            Netns.Result verify = run("systemd-analyze", "verify", UNIT);
            assertEquals("systemd-analyze verify: " + verify, 0, verify.exitCode);
            assertFalse("systemd-analyze verify: " + verify, verify.output.contains("overlaygate.service:"));

            // the unit's commands, as the unit runs them: ExecStartPre= first ('+': as root; '-': may fail)
            for (String pre : unit("ExecStartPre")) {
                String command = pre.replaceFirst("^[-+@!:]+", "");
                Netns.Result r = run(command.split("\\s+"));
                assertTrue("ExecStartPre=" + pre + ": " + r + " " + r.output, r.exitCode == 0 || pre.matches("^[+@!:]*-.*"));
            }
            assertEquals("overlaygate", one("User"));
            assertEquals("notify", one("Type"));
            int http = MetricsIT.freeTcpPort();
            int katar = MetricsIT.freeTcpPort();
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + one("User"), "--regid=" + one("Group"), "--init-groups",
                    "--inh-caps=" + caps(one("AmbientCapabilities")), "--ambient-caps=" + caps(one("AmbientCapabilities")),
                    "--bounding-set=" + caps(one("CapabilityBoundingSet")), "yes".equals(one("NoNewPrivileges")) ? "--no-new-privs" : "--",
                    "--", "sh", "-c", "umask " + one("UMask") + " && exec \"$0\" \"$@\""));
            cmd.addAll(List.of(one("ExecStart").split("\\s+")));
            Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, String> env = new LinkedHashMap<>(ReadinessIT.unitEnvironment(Paths.get(UNIT)));
            env.put("JAVA_OPTS", "-Doverlaygate.http.port=" + http + " -Doverlaygate.katar.port=" + katar);
            try (NotifySocket notify = new NotifySocket(scratch.resolve("notify"))) {
                env.put("NOTIFY_SOCKET", notify.path.toString());
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(scratch.resolve("journal.txt").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().putAll(env);
                appliance = pb.start();
                String ready = notify.await(90, TimeUnit.SECONDS);
                assertNotNull("READY=1 from the unit's command; its output:\n" + Files.readString(scratch.resolve("journal.txt")), ready);
                assertTrue(ready, ready.startsWith("READY=1"));

                uid = run("id", "-u", "overlaygate").output.trim();
                String status = Files.readString(Paths.get("/proc/" + appliance.pid() + "/status"));
                assertTrue(status, status.matches("(?s).*\\nUid:\\t" + uid + "\\t.*"));
                assertTrue("CAP_NET_ADMIN and CAP_NET_RAW, nothing else: " + status, status.contains("CapEff:\t0000000000003000"));

                // as a new user would, through overlayadm on the PATH
                int port = SystemTests.freeUdpPort("127.0.0.1");
                String created = adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4545", "-p",
                        "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + port + ",direct/dest_ip=127.0.0.2,direct/dest_port=4789", "ovl0");
                assertTrue(created, created.contains("ONLINE"));
                assertTrue(adm("vnic:create", "-l", "ovl0", "-t", tap, "vnic0").contains("tap " + tap));
                assertEquals("the TAP device, made by the user overlaygate", 0, run("ip", "link", "show", tap).exitCode);
                String nvgre = adm("overlay:create", "-e", "nvgre", "-s", "direct", "-v", "5050", "-p",
                        "nvgre/listen_ip=127.0.0.3,direct/dest_ip=127.0.0.4", "nv0");
                assertTrue("NVGRE's raw socket with CAP_NET_RAW: " + nvgre, nvgre.contains("ONLINE"));
                Netns.Result veth = run("ip", "link", "add", dummy, "type", "veth", "peer", "name", dummy + "p");
                assertEquals(veth.output, 0, veth.exitCode);
                assertEquals(0, run("ip", "link", "set", dummy, "up").exitCode);
                assertTrue(adm("vnic:create", "-l", "ovl0", "-a", dummy, "vnic1").contains("pcap " + dummy));
                assertEquals("ovl0:ONLINE\nnv0:ONLINE\n".lines().sorted().toList(),
                        adm("overlay:show", "-f", "-p", "-o", "link,status").lines().sorted().toList());
                String journal = Files.readString(scratch.resolve("journal.txt"));
                assertTrue("the log goes to the journal (standard output): " + journal, journal.contains("appliance ready"));
                assertFalse("and to no file", Files.exists(Paths.get("/var/log/overlaygate/overlaygate.log")));

                appliance.destroy(); // KillSignal=SIGTERM
                assertTrue("stopped within TimeoutStopSec", appliance.waitFor(45, TimeUnit.SECONDS));
                String stopping = notify.await(5, TimeUnit.SECONDS);
                assertNotNull("STOPPING=1", stopping);
                appliance = null;
            }

            Netns.Result remove = Netns.run(120_000, "dpkg", "-r", "overlaygate");
            assertEquals(remove.toString(), 0, remove.exitCode);
            for (String gone : List.of("/opt/overlaygate", "/usr/bin/overlayadm", "/usr/bin/katar-client", UNIT, "/run/overlaygate")) {
                assertFalse("removed: " + gone, Files.exists(Paths.get(gone), LinkOption.NOFOLLOW_LINKS));
            }
            assertTrue("configuration kept", Files.exists(Paths.get("/etc/overlaygate/config.properties")));
            assertTrue("data kept: the stored overlays", Files.isDirectory(Paths.get("/var/lib/overlaygate/config")));
            assertTrue("data kept: the console password", Files.exists(Paths.get("/var/lib/overlaygate/console.password")));
            assertEquals(0, run("getent", "passwd", "overlaygate").exitCode);

            Netns.Result purge = Netns.run(120_000, "dpkg", "--purge", "overlaygate");
            assertEquals(purge.toString(), 0, purge.exitCode);
            for (String gone : List.of("/etc/overlaygate", "/var/lib/overlaygate", "/var/log/overlaygate", "/run/overlaygate")) {
                assertFalse("purged: " + gone, Files.exists(Paths.get(gone)));
            }
            assertEquals("the user went with the purge", 2, run("getent", "passwd", "overlaygate").exitCode);
            assertFalse("and the unit's ACL on /dev/net/tun", run("getfacl", "-pn", "/dev/net/tun").output.contains("user:" + uid + ":"));
            assertEquals(1, run("dpkg", "-s", "overlaygate").exitCode);
        } finally {
            cleanUp(appliance, tap, dummy);
            run("rm", "-rf", scratch.toString());
        }
    }

    /** The installed overlayadm, as root; fails the test with its output unless it succeeds. */
    private static String adm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/overlayadm"));
        cmd.addAll(List.of(args));
        Netns.Result r = Netns.run(cmd.toArray(new String[0]));
        assertEquals("overlayadm " + String.join(" ", args) + ": " + r + "\n" + r.output, 0, r.exitCode);
        return r.output;
    }
}
