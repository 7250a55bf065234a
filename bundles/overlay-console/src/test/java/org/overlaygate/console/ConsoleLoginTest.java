package org.overlaygate.console;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.Test;

public class ConsoleLoginTest {

    private static HttpServletRequest request(String address, String authorization) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                (p, m, a) -> m.getName().equals("getRemoteAddr") ? address : m.getName().equals("getHeader") ? authorization : null);
    }

    /** A response that remembers its status and headers. */
    private static HttpServletResponse response(Map<String, Object> seen) {
        return (HttpServletResponse) Proxy.newProxyInstance(HttpServletResponse.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
                (p, m, a) -> {
                    if (m.getName().equals("setStatus")) {
                        seen.put("status", a[0]);
                    } else if (m.getName().equals("setHeader")) {
                        seen.put((String) a[0], a[1]);
                    }
                    return null;
                });
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void basicLoginWithTheOnePasswordAndAPerAddressLimitOnFailures() {
        ConsoleLogin login = new ConsoleLogin("admin", "s3cret-pw");
        Map<String, Object> seen = new HashMap<>();
        assertEquals("admin", login.authenticate(request("10.0.0.1", basic("admin", "s3cret-pw")), response(seen)));
        assertNull(login.authenticate(request("10.0.0.1", null), response(seen)));
        assertEquals(401, seen.get("status"));
        assertTrue(String.valueOf(seen.get("WWW-Authenticate")).startsWith("Basic realm=\"Overlay Gate\""));
        assertNull(login.authenticate(request("10.0.0.1", basic("admin", "admin")), response(seen)));
        assertNull(login.authenticate(request("10.0.0.1", basic("root", "s3cret-pw")), response(seen)));
        assertNull(login.authenticate(request("10.0.0.1", "Basic !!!"), response(seen)));
        for (int i = 3; i < ConsoleLogin.FAILURES_PER_MINUTE; i++) {
            assertNull(login.authenticate(request("10.0.0.1", basic("admin", "guess" + i)), response(seen)));
            assertEquals(401, seen.get("status"));
        }
        seen.clear();
        assertNull("ten failures in a minute: refused, whatever the password", login.authenticate(request("10.0.0.1", basic("admin", "s3cret-pw")),
                response(seen)));
        assertEquals(429, seen.get("status"));
        assertEquals("another address is not held up", "admin", login.authenticate(request("10.0.0.2", basic("admin", "s3cret-pw")), response(seen)));
    }

    @Test
    public void thePasswordIsTheOperatorsOrGeneratedOnceOwnerOnly() throws Exception {
        Path dir = Files.createTempDirectory("og-console");
        try {
            Path etc = dir.resolve("etc/console.password");
            Path data = dir.resolve("data");
            ConsolePassword.Loaded generated = ConsolePassword.load(etc, data);
            assertTrue(generated.generated());
            assertEquals(24, generated.password().length());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("console.password"))));
            assertEquals("kept across starts", generated.password(), ConsolePassword.load(etc, data).password());

            Files.createDirectories(etc.getParent());
            Files.writeString(etc, "  mine \nignored\n");
            ConsolePassword.Loaded mine = ConsolePassword.load(etc, data);
            assertEquals("mine", mine.password());
            assertEquals(etc, mine.source());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
