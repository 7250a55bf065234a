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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
    public void basicLoginWithTheOnePassword() {
        ConsoleLogin login = new ConsoleLogin("admin", "s3cret-pw", System::nanoTime, ms -> { });
        Map<String, Object> seen = new HashMap<>();
        assertEquals("admin", login.authenticate(request("10.0.0.1", basic("admin", "s3cret-pw")), response(seen)));
        assertNull(login.authenticate(request("10.0.0.1", null), response(seen)));
        assertEquals(401, seen.get("status"));
        assertTrue(String.valueOf(seen.get("WWW-Authenticate")).startsWith("Basic realm=\"Overlay Gate\""));
        assertNull(login.authenticate(request("10.0.0.1", basic("admin", "admin")), response(seen)));
        assertNull(login.authenticate(request("10.0.0.1", basic("root", "s3cret-pw")), response(seen)));
        assertNull(login.authenticate(request("10.0.0.1", "Basic !!!"), response(seen)));
        assertEquals(401, seen.get("status"));
    }

    @Test
    public void wrongPasswordsWaitLongerAndLongerButTheRightOneIsNeverRefused() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        List<Long> waits = new ArrayList<>();
        ConsoleLogin login = new ConsoleLogin("admin", "s3cret-pw", clock::get, waits::add);
        Map<String, Object> seen = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            seen.clear();
            assertNull(login.authenticate(request("127.0.0.1", basic("admin", "guess" + i)), response(seen)));
            assertEquals("a wrong password is refused, after its wait", 401, seen.get("status"));
            clock.addAndGet(1_000_000_000L);
        }
        assertEquals("the first three are typos; then 250 ms, doubling up to 2 s",
                List.of(250L, 500L, 1000L, 2000L, 2000L, 2000L, 2000L), waits);
        seen.clear();
        waits.clear();
        assertEquals("ten failures from the same address, then the right password: in, at once", "admin",
                login.authenticate(request("127.0.0.1", basic("admin", "s3cret-pw")), response(seen)));
        assertEquals(List.of(), waits);
        assertNull(seen.get("status"));
        clock.addAndGet(61_000_000_000L);
        assertNull(login.authenticate(request("127.0.0.1", basic("admin", "typo")), response(seen)));
        assertEquals("a minute later a typo waits no more", List.of(), waits);
    }

    @Test
    public void atMostFourWrongPasswordsWaitAtOnceAndTheRightOneStillGetsIn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger waiting = new AtomicInteger();
        ConsoleLogin login = new ConsoleLogin("admin", "s3cret-pw", System::nanoTime, ms -> {
            waiting.incrementAndGet();
            release.await();
        });
        for (int i = 0; i < FailedLogins.FREE; i++) {
            assertNull(login.authenticate(request("127.0.0.1", basic("admin", "typo" + i)), response(new HashMap<>())));
        }
        List<Thread> guessers = new ArrayList<>();
        for (int i = 0; i < FailedLogins.MAX_WAITING; i++) {
            String guess = "guess" + i;
            Thread t = new Thread(() -> login.authenticate(request("127.0.0.1", basic("admin", guess)), response(new HashMap<>())));
            t.start();
            guessers.add(t);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (waiting.get() < FailedLogins.MAX_WAITING) {
            assertTrue("four guesses waiting", System.nanoTime() < deadline);
            Thread.sleep(5);
        }
        Map<String, Object> seen = new HashMap<>();
        assertNull(login.authenticate(request("127.0.0.1", basic("admin", "one more")), response(seen)));
        assertEquals("a fifth wrong password does not take a thread: 429 at once", 429, seen.get("status"));
        assertEquals("the right password, while four wrong ones wait", "admin",
                login.authenticate(request("127.0.0.1", basic("admin", "s3cret-pw")), response(new HashMap<>())));
        release.countDown();
        for (Thread t : guessers) {
            t.join(10_000);
        }
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
