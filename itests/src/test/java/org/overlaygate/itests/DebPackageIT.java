package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * System test (root, dpkg, lintian, systemd-analyze, systemd-nspawn): the Debian package as an
 * operator installs it. lintian has nothing to say about it (no error, no warning); dpkg -i puts the distribution under
 * /opt/overlaygate, the configuration under /etc/overlaygate, overlayadm on the PATH with the
 * manual pages, and the unit, which systemd-analyze verifies and rates no more exposed than
 * {@value #MAX_EXPOSURE}, and makes the system user. The unit is then started by a real systemd
 * (PID 1 of a container that sees this machine's /usr, /etc and /opt, since CI's PID 1 is not
 * systemd), with every sandboxing setting applied, and does as its user with its two capabilities,
 * through the installed overlayadm, what the appliance does as root: a TAP VNIC, NVGRE's raw
 * socket, an interface attached through pcap. dpkg -r removes everything but the configuration and
 * the data; dpkg --purge those too, and the user, and leaves /dev/net/tun as it was found.
 * Whatever happens, the test purges the package and removes what it made; it uses ports of its own
 * and the container's own /run, so an appliance another test runs is not disturbed.
 */
public class DebPackageIT {
    private static final String UNIT = "/lib/systemd/system/overlaygate.service";
    /** systemd-analyze security's exposure (0 to 10) the unit may have at most (issue 21: it was 5.4). */
    static final double MAX_EXPOSURE = 2.5;
    private static final String TUN = "/dev/net/tun";
    private static final String WANTS = "/etc/systemd/system/multi-user.target.wants/overlaygate.service";

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

    private static void owned(Path dir, String mode) throws Exception {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(dir + " owner", "overlaygate", a.owner().getName());
        assertEquals(dir + " mode", mode, PosixFilePermissions.toString(a.permissions()));
    }

    private static void cleanUp(String tap, String dummy, String tunBefore) throws Exception {
        Netns.run(120_000, "dpkg", "--purge", "overlaygate");
        if (!tunBefore.equals(tunState())) {
            run("setfacl", "-x", "u:overlaygate", TUN);
        }
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

    /** /dev/net/tun's owner, mode and ACL, as getfacl prints them. */
    private static String tunState() throws Exception {
        Netns.Result acl = run("getfacl", "-p", TUN);
        assertEquals(acl.toString(), 0, acl.exitCode);
        return acl.output + run("stat", "-c", "%U:%G %a", TUN).output;
    }

    @Test
    public void installRunAsTheUnitDoesRemoveAndPurge() throws Exception {
        SystemTests.assumeSystem("DebPackageIT", "dpkg", "lintian", "man", "systemd-analyze", "systemd-nspawn", "nsenter", "getfacl", "setfacl", "ip");
        if (run("dpkg", "-s", "overlaygate").exitCode == 0 || run("getent", "passwd", "overlaygate").exitCode == 0) {
            Netns.skipOrFail("DebPackageIT", "the package or the user overlaygate is already on this machine; the test installs and purges its own");
        }
        Path deb = deb();
        String tap = SystemTests.linkName("ogdt");
        String dummy = SystemTests.linkName("ogdd");
        // An earlier package (or this test before its fix) left a bare mask::--- on the device: an ACL
        // that names no one. Taken away first, so that the device is plain, as Debian makes it.
        String acl = run("getfacl", "-pc", TUN).output;
        if (acl.contains("mask::") && !acl.matches("(?s).*(^|\n)(user|group):[^:\n]+:.*")) {
            run("setfacl", "-b", TUN);
        }
        String tunBefore = tunState();
        try {
            Netns.Result lintian = Netns.run(300_000, "lintian", "--tag-display-limit", "0", deb.toString());
            assertFalse("lintian has something to say:\n" + lintian.output, lintian.output.lines().anyMatch(l -> l.matches("[EW]: .*")));
            assertEquals("lintian (fails on errors): " + lintian, 0, lintian.exitCode);

            Netns.Result install = Netns.run(120_000, "dpkg", "-i", deb.toString());
            assertEquals(install.toString() + "\n" + install.output, 0, install.exitCode);
            for (String file : List.of("/opt/overlaygate/bin/overlaygate", "/opt/overlaygate/lib/overlaygate-launcher.jar", "/usr/bin/overlayadm",
                    "/usr/bin/katar-client", "/etc/overlaygate/config.properties", "/etc/overlaygate/logback.xml", UNIT,
                    "/usr/share/doc/overlaygate/README.md", "/usr/share/doc/overlaygate/copyright", "/usr/share/doc/overlaygate/changelog.gz",
                    "/opt/overlaygate/share/prometheus/overlaygate-alerts.yml", "/usr/share/doc/overlaygate/docs/glossary.md")) {
                assertTrue(file, Files.exists(Paths.get(file)));
            }
            assertEquals(Paths.get("/etc/overlaygate"), Files.readSymbolicLink(Paths.get("/opt/overlaygate/etc")));
            assertTrue(run("dpkg-query", "--showformat=${Conffiles}", "--show", "overlaygate").output.contains("/etc/overlaygate/config.properties"));
            assertEquals(0, run("getent", "passwd", "overlaygate").exitCode);
            assertTrue("enabled at the first installation", Files.isSymbolicLink(Paths.get(WANTS)));
            owned(Paths.get("/var/lib/overlaygate"), "rwx------");
            owned(Paths.get("/run/overlaygate"), "rwx------");
            everyJarHasItsCopyright();
            manualPagesSayWhatTheHelpSays();

            Netns.Result verify = run("systemd-analyze", "verify", UNIT);
            assertEquals("systemd-analyze verify: " + verify, 0, verify.exitCode);
            assertFalse("systemd-analyze verify: " + verify, verify.output.contains("overlaygate.service:"));
            Netns.Result security = run("systemd-analyze", "security", "--offline=true", "--no-pager", UNIT);
            Matcher exposure = Pattern.compile("Overall exposure level for overlaygate.service: (\\d+\\.\\d+)").matcher(security.output);
            assertTrue(security.toString(), exposure.find());
            assertTrue("systemd-analyze security: " + exposure.group(1) + ", more than " + MAX_EXPOSURE + "\n" + security.output,
                    Double.parseDouble(exposure.group(1)) <= MAX_EXPOSURE);

            // The unit's ExecStartPre= on this machine's /dev/net/tun, as the unit runs them ('+': as root;
            // '-': may fail), so that purging has the ACL to take away.
            for (String pre : unit("ExecStartPre")) {
                String command = pre.replaceFirst("^[-+@!:]+", "");
                Netns.Result r = run(command.split("\\s+"));
                assertTrue("ExecStartPre=" + pre + ": " + r + " " + r.output, r.exitCode == 0 || pre.matches("^[+@!:]*-.*"));
            }

            String uid = run("id", "-u", "overlaygate").output.trim();
            try (SystemdContainer systemd = SystemdContainer.boot(List.of("/var/lib/overlaygate", "/var/log/overlaygate"))) {
                runTheUnit(systemd, tap, dummy, uid);
            }

            Netns.Result remove = Netns.run(120_000, "dpkg", "-r", "overlaygate");
            assertEquals(remove.toString(), 0, remove.exitCode);
            for (String gone : List.of("/opt/overlaygate", "/usr/bin/overlayadm", "/usr/bin/katar-client", UNIT, "/run/overlaygate",
                    "/usr/share/man/man8/overlaygate.8.gz")) {
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
            assertFalse("and the unit's enablement", Files.exists(Paths.get(WANTS), LinkOption.NOFOLLOW_LINKS));
            assertEquals("/dev/net/tun as it was before the package (no ACL entry, no mask left)", tunBefore, tunState());
            assertEquals(1, run("dpkg", "-s", "overlaygate").exitCode);
        } finally {
            cleanUp(tap, dummy, tunBefore);
        }
    }

    /**
     * overlaygate.service started by systemd, with every setting of the unit: it becomes ready as the
     * user overlaygate with CAP_NET_ADMIN and CAP_NET_RAW alone, and makes through overlayadm a TAP
     * VNIC, an NVGRE overlay (raw socket) and a VNIC attached through pcap; its log is in the journal.
     */
    private static void runTheUnit(SystemdContainer systemd, String tap, String dummy, String uid) throws Exception {
        int http = MetricsIT.freeTcpPort();
        int katar = MetricsIT.freeTcpPort();
        // ports of its own, as "systemctl edit overlaygate" would set them (a runtime drop-in, gone with the container)
        systemd.exec("sh", "-c", "mkdir -p /run/systemd/system/overlaygate.service.d && printf '[Service]\\nEnvironment=\"JAVA_OPTS="
                + "-Doverlaygate.http.port=" + http + " -Doverlaygate.katar.port=" + katar + "\"\\n' > /run/systemd/system/overlaygate.service.d/ports.conf"
                + " && systemctl daemon-reload").check();
        Netns.Result start = systemd.exec(200_000, "systemctl", "start", "overlaygate.service");
        assertEquals("systemctl start (Type=notify: returns once READY=1): " + start + "\n" + systemd.journal("overlaygate"), 0, start.exitCode);
        String mainPid = systemd.exec("systemctl", "show", "-p", "MainPID", "--value", "overlaygate.service").check().output.trim();
        String status = systemd.exec("cat", "/proc/" + mainPid + "/status").check().output;
        assertTrue(status, status.matches("(?s).*\\nUid:\\t" + uid + "\\t.*"));
        assertTrue("CAP_NET_ADMIN and CAP_NET_RAW, nothing else: " + status, status.contains("CapEff:\t0000000000003000"));
        // the container's own PID 1 already runs under nspawn's filter: the unit's comes on top of it
        assertTrue("system calls filtered by the unit's SystemCallFilter=: " + status,
                seccompFilters(status) > seccompFilters(systemd.exec("cat", "/proc/1/status").check().output));

        int port = SystemTests.freeUdpPort("127.0.0.1");
        String created = adm(systemd, "overlay:create", "-e", "vxlan", "-s", "direct", "-v", "4545", "-p",
                "vxlan/listen_ip=127.0.0.1,vxlan/listen_port=" + port + ",direct/dest_ip=127.0.0.2,direct/dest_port=4789", "ovl0");
        assertTrue(created, created.contains("ONLINE"));
        assertTrue(adm(systemd, "vnic:create", "-l", "ovl0", "-t", tap, "vnic0").contains("tap " + tap));
        assertEquals("the TAP device, made by the user overlaygate through its private /dev", 0, run("ip", "link", "show", tap).exitCode);
        String nvgre = adm(systemd, "overlay:create", "-e", "nvgre", "-s", "direct", "-v", "5050", "-p",
                "nvgre/listen_ip=127.0.0.3,direct/dest_ip=127.0.0.4", "nv0");
        assertTrue("NVGRE's raw socket with CAP_NET_RAW: " + nvgre, nvgre.contains("ONLINE"));
        Netns.Result veth = run("ip", "link", "add", dummy, "type", "veth", "peer", "name", dummy + "p");
        assertEquals(veth.output, 0, veth.exitCode);
        assertEquals(0, run("ip", "link", "set", dummy, "up").exitCode);
        assertTrue(adm(systemd, "vnic:create", "-l", "ovl0", "-a", dummy, "vnic1").contains("pcap " + dummy));
        assertEquals("ovl0:ONLINE\nnv0:ONLINE\n".lines().sorted().toList(),
                adm(systemd, "overlay:show", "-f", "-p", "-o", "link,status").lines().sorted().toList());
        String journal = systemd.journal("overlaygate");
        assertTrue("the log goes to the journal: " + journal, journal.contains("appliance ready"));
        assertFalse("and to no file", Files.exists(Paths.get("/var/log/overlaygate/overlaygate.log")));
        assertFalse("no system call refused: " + journal, journal.contains("Operation not permitted"));
        // nice value of each thread: field 19 of its stat, the 17th after the comm (which may hold spaces)
        String threads = systemd.exec("sh", "-c", "for t in /proc/" + mainPid + "/task/*; do echo \"$(cat $t/comm):$(sed 's/.*) //' $t/stat"
                + " | cut -d' ' -f17)\"; done").check().output;
        List<String> dataPath = threads.lines().filter(t -> t.startsWith("og-underlay") || t.startsWith("og-vnic")).toList();
        assertFalse("data path threads: " + threads, dataPath.isEmpty());
        assertTrue("data path threads at nice -5 (the unit's Nice=-5, threadNice's default): " + threads,
                dataPath.stream().allMatch(t -> t.endsWith(":-5")));

        Netns.Result stop = systemd.exec(60_000, "systemctl", "stop", "overlaygate.service");
        assertEquals(stop.toString(), 0, stop.exitCode);
        assertEquals("inactive", systemd.exec("systemctl", "is-active", "overlaygate.service").output.trim());
        assertTrue("stopped cleanly: " + systemd.journal("overlaygate"), systemd.journal("overlaygate").contains("Deactivated successfully"));
    }

    private static int seccompFilters(String procStatus) {
        Matcher m = Pattern.compile("\nSeccomp_filters:\t(\\d+)").matcher(procStatus);
        assertTrue("Seccomp_filters in " + procStatus, m.find());
        return Integer.parseInt(m.group(1));
    }

    /** Every jar the package installs is named by a paragraph of its copyright file, other than the catch-all. */
    private static void everyJarHasItsCopyright() throws Exception {
        List<String> patterns = new ArrayList<>();
        boolean files = false;
        for (String line : Files.readAllLines(Paths.get("/usr/share/doc/overlaygate/copyright"))) {
            if (line.startsWith("Files:")) {
                files = true;
                line = line.substring("Files:".length());
            } else if (!line.startsWith(" ")) {
                files = false;
            }
            if (files) {
                for (String p : line.trim().split("\\s+")) {
                    if (!p.isEmpty() && !p.equals("*")) {
                        patterns.add(p);
                    }
                }
            }
        }
        List<String> ours = List.of("overlaygate-launcher.jar", "katar-protocol.jar");
        try (Stream<Path> jars = Files.walk(Paths.get("/opt/overlaygate"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                String rel = Paths.get("/").relativize(jar).toString();
                boolean own = ours.contains(jar.getFileName().toString())
                        || run("unzip", "-p", jar.toString(), "META-INF/MANIFEST.MF").output.contains("Bundle-SymbolicName: org.overlaygate.");
                boolean named = patterns.stream().anyMatch(p -> FileSystems.getDefault().getPathMatcher("glob:" + p).matches(Paths.get(rel)));
                assertTrue(rel + ": a third-party jar that the copyright file does not name", own || named);
            }
        }
    }

    /** Each manual page shows every option and command its command's --help prints. */
    private static void manualPagesSayWhatTheHelpSays() throws Exception {
        for (String[] page : new String[][] {{"overlaygate", "8", "/opt/overlaygate/bin/overlaygate"}, {"overlayadm", "1", "/usr/bin/overlayadm"},
                {"katar-client", "1", "/usr/bin/katar-client"}}) {
            Netns.Result help = run(page[2], "--help");
            assertEquals(help.toString(), 0, help.exitCode);
            Netns.Result man = run("env", "MANWIDTH=250", "man", "--no-hyphenation", "--no-justification", page[1], page[0]);
            assertEquals(man.toString(), 0, man.exitCode);
            String text = man.output.replaceAll("\\s+", " ");
            Matcher entry = Pattern.compile("(?m)^ {2}(\\S(?:.*?\\S)?) {2,}(\\S.*)$").matcher(help.output);
            int entries = 0;
            while (entry.find()) {
                entries++;
                assertTrue(page[0] + "(" + page[1] + ") lacks '" + entry.group(1) + "':\n" + man.output, text.contains(entry.group(1) + " " + entry.group(2).trim()));
            }
            assertTrue(page[0] + " --help has entries: " + help.output, entries >= 3);
            assertTrue(man.output, text.contains(help.output.lines().findFirst().orElseThrow().replaceFirst("^usage: ", "")));
        }
    }

    /** The installed overlayadm, as root in the container; fails the test with its output unless it succeeds. */
    private static String adm(SystemdContainer systemd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/overlayadm"));
        cmd.addAll(List.of(args));
        Netns.Result r = systemd.exec(cmd.toArray(new String[0]));
        assertEquals("overlayadm " + String.join(" ", args) + ": " + r + "\n" + r.output, 0, r.exitCode);
        return r.output;
    }
}
