package org.overlaygate.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class LauncherUnitTest {

    @Test
    public void parsesOptions() {
        LaunchOptions o = LaunchOptions.parse("--daemon", "--data", "/tmp/og", "--profile", "katar");
        assertTrue(o.daemon);
        assertEquals(Path.of("/tmp/og"), o.data);
        assertEquals("katar", o.profile);
        assertFalse(LaunchOptions.parse().daemon);
        assertTrue(LaunchOptions.parse("--help").help);
        assertTrue(LaunchOptions.parse("--daemon", "-h").help);
        assertFalse(LaunchOptions.parse().help);
        assertEquals("unknown option '--deamon'", assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--deamon")).getMessage());
        assertEquals("--data needs a value", assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--data")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--profile", "../x"));
    }

    @Test
    public void substitutesReferences() {
        Map<String, String> props = Map.of("a", "${b}/x", "b", "/home");
        assertEquals("/home/x/y", FrameworkConfig.substitute("${a}/y", props, 0));
        assertEquals("plain", FrameworkConfig.substitute("plain", props, 0));
        assertThrows(IllegalArgumentException.class, () -> FrameworkConfig.substitute("${nope.nothing}", props, 0));
        assertThrows(IllegalArgumentException.class, () -> FrameworkConfig.substitute("${c}", Map.of("c", "${c}"), 0));
    }

    @Test
    public void loadsConfigWithProfileAndRefusesUnknownProfile() throws Exception {
        Path home = Files.createTempDirectory("og-home");
        try {
            Files.createDirectories(home.resolve("etc/profiles"));
            Files.writeString(home.resolve("etc/config.properties"), "felix.cm.dir=${overlaygate.data}/config\nx.y=1\n");
            Files.writeString(home.resolve("etc/profiles/katar.properties"), "x.y=2\n");
            Map<String, String> c = FrameworkConfig.load(home, home.resolve("d"), "katar");
            assertEquals(home.resolve("d") + "/config", c.get("felix.cm.dir"));
            assertEquals("2", c.get("x.y"));
            assertEquals("katar", c.get("overlaygate.profile"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameworkConfig.load(home, home, "none"));
            assertTrue(e.getMessage(), e.getMessage().startsWith("no profile 'none'"));
        } finally {
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void pidFileIsWrittenAndReleasedAndAStaleOneReplaced() throws Exception {
        Path dir = Files.createTempDirectory("og-run");
        Path file = dir.resolve("run/overlaygate.pid");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "999999999\n"); // no such process: stale
        PidFile pid = PidFile.acquire(file);
        assertEquals(ProcessHandle.current().pid(), (long) PidFile.read(file).get());
        pid.release();
        assertFalse(Files.exists(file));
        Files.delete(file.getParent());
        Files.delete(dir);
    }

    @Test
    public void aLinkedDirectoryIsKeptOwnerOnlyThroughTheLink() throws Exception {
        Path dir = Files.createTempDirectory("og-link");
        try {
            Path target = Files.createDirectory(dir.resolve("run-target"));
            Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path link = Files.createSymbolicLink(dir.resolve("run"), target);
            OwnerOnly.directory(link);
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
            assertTrue("still a link", Files.isSymbolicLink(link));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void profilesExcludeSystemBundlesByArtifactName() {
        assertEquals(List.of("overlay-core", "varpd"), Main.excluded(" overlay-core, varpd ,"));
        assertTrue(Main.isArtifact("varpd-0.1.0-SNAPSHOT.jar", "varpd"));
        assertTrue(Main.isArtifact("varpd.jar", "varpd"));
        assertFalse(Main.isArtifact("varpd-extra-1.0.jar", "varpd"));
        assertFalse(Main.isArtifact("overlay-core-1.jar", "overlay"));
    }

    @Test
    public void quotesWordsThatAreNotPlain() {
        assertEquals("overlay:show -f ovl0", OverlayAdm.commandLine(List.of("overlay:show -f ovl0")));
        assertEquals("overlay:create -p vxlan/listen_ip=10.0.0.1 ovl0",
                OverlayAdm.commandLine(List.of("overlay:create", "-p", "vxlan/listen_ip=10.0.0.1", "ovl0")));
        assertEquals("echo \"a b\" \"$x\" \"\" \"say \\\"hi\\\" \\\\n\"", OverlayAdm.commandLine(List.of("echo", "a b", "$x", "", "say \"hi\" \\n")));
    }

    @Test
    public void refusesACommandLineOverTheLimitBeforeConnecting() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = OverlayAdm.run(new String[] {"--socket", "/nonexistent/og.sock", "overlay:show", "x".repeat(70_000)},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(OverlayAdm.FAILED, status);
        assertEquals("overlayadm: the command line is 70013 bytes; the appliance takes at most 65536\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void saysSoWhenNoApplianceRuns() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = OverlayAdm.run(new String[] {"--socket", "/nonexistent/og.sock", "overlay:plugins"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(OverlayAdm.NO_APPLIANCE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).startsWith("overlayadm: no appliance is running"));
    }
}
