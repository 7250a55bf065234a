package org.overlaygate.katar.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.Test;

/** Settings that concern secrets and limits: refused combinations, password files, owner-only storage. */
public class KatarSettingsTest {

    @Test
    public void aPasswordOrUserWithoutAUrlIsRefusedNotAServerDown() {
        for (String name : new String[] {"jdbc.password", "jdbc.user", "jdbc.password.file"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KatarSettings.from(Map.of(name, "x"), n -> null, Path.of("/tmp/data")));
            assertTrue(e.getMessage(), e.getMessage().startsWith("katar settings jdbc.user and jdbc.password need jdbc.url"));
            assertTrue("the message never shows the value", !e.getMessage().contains("=x"));
        }
        IllegalArgumentException framework = assertThrows(IllegalArgumentException.class,
                () -> KatarSettings.from(Map.of(), n -> n.equals("overlaygate.katar.jdbc.password") ? "hunter2" : null, Path.of("/tmp/data")));
        assertTrue(framework.getMessage().startsWith("katar settings jdbc.user and jdbc.password need jdbc.url"));
        assertTrue(!framework.getMessage().contains("hunter2"));
    }

    @Test
    public void thePasswordComesFromItsFileAndIsNeverShown() throws Exception {
        Path dir = Files.createTempDirectory("katar-secret");
        try {
            Path file = dir.resolve("pw");
            KatarCommands.writeOwnerOnly(file, "s3cret pass");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("s3cret pass\n", Files.readString(file, StandardCharsets.UTF_8));
            try (var left = Files.list(dir)) {
                assertEquals("no temporary file left", 1, left.count());
            }
            KatarSettings s = KatarSettings.from(Map.of("jdbc.url", "jdbc:postgresql://db:5432/katar", "jdbc.user", "katar",
                    "jdbc.password.file", file.toString()), n -> null, null);
            assertEquals("s3cret pass", s.jdbcPassword());
            assertEquals("***", s.value("jdbc.password"));
            assertEquals(file.toString(), s.value("jdbc.password.file"));
            assertTrue("toString masks it: " + s, !s.toString().contains("s3cret"));

            assertEquals("katar settings jdbc.password and jdbc.password.file exclude each other", assertThrows(IllegalArgumentException.class,
                    () -> KatarSettings.from(Map.of("jdbc.url", "jdbc:postgresql://db/k", "jdbc.password", "x", "jdbc.password.file",
                            file.toString()), n -> null, null)).getMessage());
            assertEquals("katar setting jdbc.password.file: cannot read " + dir.resolve("none") + ": no such file",
                    assertThrows(IllegalArgumentException.class, () -> KatarSettings.from(Map.of("jdbc.url", "jdbc:postgresql://db/k",
                            "jdbc.password.file", dir.resolve("none").toString()), n -> null, null)).getMessage());
        } finally {
            TestServers.delete(dir);
        }
    }

    @Test
    public void connectionLimitsAreSettings() {
        KatarSettings s = KatarSettings.from(Map.of("max.connections.per.address", "5", "idle.timeout.ms", "1000"), n -> null, Path.of("/tmp/d"));
        assertEquals(5, s.limits().maxConnectionsPerAddress());
        assertEquals(1000, s.limits().idleTimeoutMs());
        assertEquals("64 by default", 64, KatarSettings.from(Map.of(), n -> null, Path.of("/tmp/d")).limits().maxConnectionsPerAddress());
        assertEquals(128, KatarSettings.from(Map.of(), n -> null, Path.of("/tmp/d")).limits().reserved());
    }
}
