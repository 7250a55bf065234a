package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The socket server over a real UNIX socket: binding, limits, deadlines, refusals, and fuzzed framing. */
public class AdminServerTest {
    private Path dir;
    private Path socket;
    private AdminServer server;
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @Before
    public void createDirectory() throws IOException {
        dir = Files.createTempDirectory("og-admin");
        socket = dir.resolve("run/adm.sock");
    }

    @After
    public void stop() throws IOException {
        clients.shutdownNow();
        if (server != null) {
            server.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void start(AdminServer.Limits limits, AdminServer.Handler handler) throws IOException {
        server = AdminServer.start(socket, limits, handler);
    }

    /** Echoes the request on stdout and exits 0. */
    private int echo(String request, DataOutputStream out) {
        handled.add(request);
        try {
            byte[] b = ("ran: " + request + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (out) {
                AdminProtocol.writeFrame(out, AdminProtocol.STDOUT, b, 0, b.length);
            }
        } catch (IOException e) {
            return 1;
        }
        return 0;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    public void bindsOwnerOnlyAndReplacesAStaleSocket() throws IOException {
        try (ServerSocketChannel first = AdminServer.bind(socket)) {
            assertEquals("rw-------", mode(socket));
            assertEquals("rwx------", mode(socket.getParent()));
            try (Stream<Path> files = Files.list(socket.getParent())) {
                assertEquals("the private directory it was bound in is gone", List.of(socket), files.toList());
            }
            IOException busy = assertThrows(IOException.class, () -> AdminServer.bind(socket));
            assertTrue(busy.getMessage(), busy.getMessage().startsWith("another appliance is already listening"));
        }
        assertTrue("a closed server leaves its file behind, as a crash would", Files.exists(socket));
        try (ServerSocketChannel second = AdminServer.bind(socket)) {
            assertTrue(second.isOpen());
        }
    }

    @Test
    public void aSocketRenamedIntoPlaceAnswersAndIsOwnerOnlyInAWorldWritableDirectory() throws IOException {
        Files.createDirectories(socket.getParent());
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        start(AdminServer.Limits.defaults(), this::echo);
        assertEquals("rw-------", mode(socket));
        AdminClient.Reply r = AdminClient.run(socket, "overlay:show");
        assertEquals(Integer.valueOf(0), r.status());
        assertEquals("ran: overlay:show\n", r.out());
        server.close();
        server = null;
        assertTrue("closing removes the socket", !Files.exists(socket));
    }

    @Test
    public void idleConnectionsTimeOutAndTheOneOverTheLimitIsToldBusy() throws Exception {
        start(new AdminServer.Limits(3, 2, 2000), this::echo); // 2 s: the busy client must come before the deadline
        List<AdminClient> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            idle.add(new AdminClient(socket));
        }
        AdminClient.Reply busy = awaitReply(() -> AdminClient.run(socket, "overlay:show"), r -> r.err().contains("busy"));
        assertEquals(Integer.valueOf(1), busy.status());
        assertEquals("appliance busy: 3 overlayadm connections open; try again\n", busy.err());
        for (AdminClient c : idle) {
            AdminClient.Reply r = c.reply();
            assertEquals(Integer.valueOf(1), r.status());
            assertEquals("no complete request within 2000 ms; closing\n", r.err());
            c.close();
        }
        AdminClient.Reply served = awaitReply(() -> AdminClient.run(socket, "overlay:show"), r -> Integer.valueOf(0).equals(r.status()));
        assertEquals("ran: overlay:show\n", served.out());
        assertEquals(List.of("overlay:show"), handled);
    }

    @Test
    public void commandsOverTheLimitAreToldBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        start(new AdminServer.Limits(8, 2, 5000), (request, out) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        });
        List<Future<AdminClient.Reply>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(clients.submit(() -> AdminClient.run(socket, "overlay:snoop ovl0")));
        }
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        AdminClient.Reply third = AdminClient.run(socket, "overlay:show");
        assertEquals(Integer.valueOf(1), third.status());
        assertEquals("appliance busy: 2 commands already running; try again\n", third.err());
        release.countDown();
        for (Future<AdminClient.Reply> f : running) {
            assertEquals(Integer.valueOf(0), f.get(10, TimeUnit.SECONDS).status());
        }
    }

    @Test
    public void aRequestOverTheLimitIsAnsweredNotReset() throws Exception {
        start(AdminServer.Limits.defaults(), this::echo);
        try (AdminClient c = new AdminClient(socket)) {
            byte[] big = new byte[4 + 70_000];
            ByteBuffer.wrap(big).putInt(70_000);
            java.util.Arrays.fill(big, 4, big.length, (byte) 'a');
            c.sendRaw(big); // the server reads and drops the rest, so this write completes
            AdminClient.Reply r = c.reply();
            assertEquals(Integer.valueOf(1), r.status());
            assertEquals("request of 70000 bytes refused: the limit is 65536 bytes\n", r.err());
        }
        try (AdminClient c = new AdminClient(socket)) {
            c.sendRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0});
            AdminClient.Reply r = c.reply();
            assertEquals("request of 4294967280 bytes refused: the limit is 65536 bytes\n", r.err());
        }
        try (AdminClient c = new AdminClient(socket)) {
            c.sendRaw(new byte[] {0, 0, 0, 2, (byte) 0xC3, (byte) 0x28});
            assertEquals("request refused: the command line is not UTF-8 text\n", c.reply().err());
        }
        assertTrue("nothing refused reached the handler", handled.isEmpty());
        assertEquals(Integer.valueOf(0), AdminClient.run(socket, "x".repeat(AdminProtocol.MAX_REQUEST)).status());
    }

    /**
     * Seeded random framing (lengths, truncations, garbage, valid frames with random bytes): each
     * connection ends with an answer or, for a request cut short, with the server closing; the
     * handler sees exactly the valid requests; the server serves normally afterwards.
     */
    @Test
    public void fuzzedFramingNeverStopsTheServer() throws Exception {
        start(new AdminServer.Limits(8, 4, 2000), this::echo);
        Random random = new Random(4242);
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < 400; round++) {
            byte[] payload = new byte[random.nextInt(64)];
            random.nextBytes(payload);
            if (random.nextBoolean()) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) (0x20 + (payload[i] & 0x3F)); // printable ASCII: valid UTF-8
                }
            }
            int kind = random.nextInt(4);
            ByteBuffer b = ByteBuffer.allocate(4 + payload.length);
            int declared = kind == 0 ? random.nextInt() : kind == 1 ? payload.length + 1 + random.nextInt(10) : payload.length;
            b.putInt(declared).put(payload);
            int cut = kind == 2 ? random.nextInt(4 + payload.length) : b.capacity();
            try (AdminClient c = new AdminClient(socket)) {
                c.sendRaw(java.util.Arrays.copyOf(b.array(), cut));
                c.channel.shutdownOutput();
                AdminClient.Reply r = c.reply();
                boolean complete = declared >= 0 && declared <= AdminProtocol.MAX_REQUEST && cut == b.capacity() && declared == payload.length;
                boolean oversize = declared < 0 || declared > AdminProtocol.MAX_REQUEST;
                if (complete) {
                    assertNotNull("round " + round + ": a whole request is answered", r.status());
                    java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
                    try {
                        expected.add(utf8.decode(ByteBuffer.wrap(payload)).toString());
                        assertEquals(Integer.valueOf(0), r.status());
                    } catch (java.nio.charset.CharacterCodingException notUtf8) {
                        assertEquals("request refused: the command line is not UTF-8 text\n", r.err());
                    }
                } else if (oversize && cut >= 4) {
                    assertEquals("round " + round, Integer.valueOf(1), r.status());
                    assertTrue(r.err(), r.err().contains("bytes refused: the limit is 65536 bytes"));
                } else {
                    assertNull("round " + round + ": a request cut short is closed without an answer", r.status());
                }
            }
        }
        assertEquals(expected, handled);
        assertEquals(Integer.valueOf(0), AdminClient.run(socket, "overlay:show").status());
    }

    interface Attempt {
        AdminClient.Reply run() throws IOException;
    }

    /** Repeats {@code attempt} until its reply satisfies {@code ok} (the server frees a place a moment after answering). */
    static AdminClient.Reply awaitReply(Attempt attempt, java.util.function.Predicate<AdminClient.Reply> ok) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        AdminClient.Reply last;
        do {
            last = attempt.run();
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no such reply within 10 s; last: " + last);
    }
}
