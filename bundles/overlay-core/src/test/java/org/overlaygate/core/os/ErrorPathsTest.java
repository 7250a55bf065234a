package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;

/**
 * Failures an operator or the data path will meet: names taken or unknown, missing privileges, and
 * close() while a reader waits. The root-only parts skip with the reason when not root.
 */
public class ErrorPathsTest {

    @Test
    public void existingTapNameIsRefused() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.existingTapNameIsRefused");
        String dev = Netns.uniqueName("ogdup");
        try (TapDevice first = TapDevice.create(dev)) {
            try {
                TapDevice.create(dev).close();
                fail("a second TAP device with the same name must not be created");
            } catch (IOException e) {
                assertEquals("cannot create TAP device " + dev + ": " + dev + " already exists", e.getMessage());
            }
            assertEquals("the first device is untouched", dev, first.name());
            first.setUp();
        }
        try {
            TapDevice.create("lo").close();
            fail("lo is not ours to take");
        } catch (IOException e) {
            assertEquals("cannot create TAP device lo: lo already exists", e.getMessage());
        }
    }

    @Test
    public void badInterfaceNamesAreRefusedBeforeTheKernelSeesThem() throws Exception {
        for (String bad : new String[] {"", "sixteen-chars-xx", "bad name", "a/b", "..", "tap%d"}) {
            try {
                TapDevice.create(bad).close();
                fail("accepted '" + bad + "'");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("bad interface name '" + bad + "'"));
            }
        }
    }

    @Test
    public void unknownPcapInterface() throws Exception {
        String name = Netns.uniqueName("ognone");
        try {
            PcapPort.open(name).close();
            fail("opened a missing interface");
        } catch (IOException e) {
            assertEquals("cannot attach to interface " + name + ": no such network interface", e.getMessage());
        }
    }

    @Test
    public void closeWakesAWaitingTapReader() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.closeWakesAWaitingTapReader");
        for (int timeout : new int[] {30_000, -1}) {
            String dev = Netns.uniqueName("ogcls");
            TapDevice tap = TapDevice.create(dev);
            try {
                assertCloseWakesReader(tap, buffer -> tap.read(buffer, 0, timeout));
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                assertClosed(() -> tap.write(b, 0, 60));
                assertClosed(() -> tap.read(b, 0, 0));
                assertClosed(tap::macAddress);
            } finally {
                tap.close();
            }
            assertFalse("device removed", new File("/sys/class/net/" + dev).exists());
        }
    }

    /** The same for a reader waiting on every queue of a multi-queue device at once ({@link TapDevice#awaitQueues}). */
    @Test
    public void closeWakesAReaderWaitingOnQueues() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.closeWakesAReaderWaitingOnQueues");
        for (int timeout : new int[] {30_000, -1}) {
            String dev = Netns.uniqueName("ogclq");
            TapDevice tap = TapDevice.create(dev, false, 4);
            try {
                assertEquals(4, tap.queues());
                assertCloseWakesReader(tap, buffer -> (int) tap.awaitQueues(timeout));
                assertClosed(() -> tap.awaitQueues(0));
                assertClosed(() -> tap.readQueue(3, ByteBuffer.allocateDirect(64), 0));
            } finally {
                tap.close();
            }
            assertFalse("device removed", new File("/sys/class/net/" + dev).exists());
        }
    }

    @Test
    public void closeWakesAWaitingRawSocketReader() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.closeWakesAWaitingRawSocketReader");
        try (Netns ns = Netns.create("ogcls")) {
            RawIpSocket socket = ns.call(() -> RawIpSocket.open(47, (Inet4Address) InetAddress.getByName("127.0.0.1")));
            try {
                assertCloseWakesReader(socket, buffer -> socket.receive(buffer, 0, 30_000));
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                assertClosed(() -> socket.send(b, 0, 60, RawIpSocketTest.LOCAL_A));
            } finally {
                socket.close();
            }
        }
    }

    @Test
    public void closeWakesAWaitingPcapReader() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.closeWakesAWaitingPcapReader");
        try (Netns ns = Netns.create("ogcls")) {
            // Both ends inside the namespace, so fixed names are fine and nothing else sends there.
            ns.exec("ip", "link", "add", "ogc0", "type", "veth", "peer", "name", "ogc1").check();
            ns.exec("ip", "link", "set", "ogc0", "up").check();
            PcapPort port = ns.call(() -> PcapPort.open("ogc0"));
            try {
                assertCloseWakesReader(port, buffer -> port.read(buffer, 0, 30_000));
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                assertClosed(() -> port.write(b, 0, 60));
            } finally {
                port.close();
            }
        }
    }

    /**
     * close() racing four writers and a reader, twenty times: every thread ends with
     * ClosedChannelException (never another error, never stuck, no crash), and the device goes.
     * The device is down, so the writes also exercise the counted-drop path (EIO).
     */
    @Test
    public void closeRacingWritersAndReaderIsClean() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.closeRacingWritersAndReaderIsClean");
        long drops = 0;
        for (int round = 0; round < 20; round++) {
            String dev = Netns.uniqueName("ograce");
            TapDevice tap = TapDevice.create(dev);
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                boolean reader = t == 0;
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                outcomes.add(outcome);
                Thread thread = new Thread(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(2048);
                    try {
                        for (;;) {
                            if (reader) {
                                tap.read(b, 0, 50);
                            } else {
                                tap.write(b, 0, 60);
                            }
                        }
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                }, "race-" + t);
                threads.add(thread);
                thread.start();
            }
            Thread.sleep(round % 5 * 10L);
            tap.close();
            for (CompletableFuture<Throwable> outcome : outcomes) {
                Throwable e = outcome.get(5, TimeUnit.SECONDS);
                if (!(e instanceof ClosedChannelException)) {
                    throw new AssertionError("a thread ended with " + e, e);
                }
            }
            for (Thread thread : threads) {
                thread.join(1000);
            }
            assertFalse(tap.leakedOnClose());
            assertFalse("device removed", new File("/sys/class/net/" + dev).exists());
            drops += tap.droppedWrites();
        }
        System.out.println("close raced 4 writers and a reader 20 times; writes to the down device dropped and counted: " + drops);
        assertTrue("writes to a down TAP are counted drops", drops > 0);
    }

    /**
     * Runs without CAP_NET_ADMIN/CAP_NET_RAW (a child JVM under {@code setpriv} with an empty
     * capability bounding set, still uid 0) and checks the messages an operator would see.
     */
    @Test
    public void missingPrivilegesAreExplained() throws Exception {
        Netns.assumeAvailable("ErrorPathsTest.missingPrivilegesAreExplained");
        String setpriv = Netns.findExecutable("setpriv");
        if (setpriv == null) {
            System.out.println("SKIPPED ErrorPathsTest.missingPrivilegesAreExplained: needs util-linux's setpriv");
        }
        Assume.assumeTrue("needs setpriv", setpriv != null);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String dev = Netns.uniqueName("ogperm");
        List<String> command = new ArrayList<>(List.of(setpriv, "--bounding-set", "-all", "--inh-caps", "-all",
                java, "-cp", System.getProperty("java.class.path"), PermissionProbe.class.getName(), dev));
        Netns.Result result = Netns.run(60_000, command.toArray(new String[0]));
        System.out.println("without capabilities:\n" + result.output);
        assertEquals(result.toString(), 0, result.exitCode);
        assertTrue(result.output, result.output.contains(
                "TAP: cannot create TAP device " + dev + ": Operation not permitted (needs root or CAP_NET_ADMIN)\n"));
        assertTrue(result.output, result.output.contains(
                "RAW: cannot open raw IP socket (protocol 47) on 127.0.0.1: Operation not permitted (needs root or CAP_NET_RAW)\n"));
        assertTrue(result.output, result.output.matches("(?s).*PCAP: cannot attach to interface lo: .*not permitted.*"
                + "\\(needs root or CAP_NET_RAW\\)\n.*"));
        assertFalse("nothing created", new File("/sys/class/net/" + dev).exists());
    }

    /** The child process of {@link #missingPrivilegesAreExplained()}: prints one line per attempt. */
    public static final class PermissionProbe {
        public static void main(String[] args) throws Exception {
            try {
                TapDevice.create(args[0]).close();
                System.out.println("TAP: created");
            } catch (IOException e) {
                System.out.println("TAP: " + e.getMessage());
            }
            try {
                RawIpSocket.open(47, (Inet4Address) InetAddress.getByName("127.0.0.1")).close();
                System.out.println("RAW: opened");
            } catch (IOException e) {
                System.out.println("RAW: " + e.getMessage());
            }
            try {
                PcapPort.open("lo").close();
                System.out.println("PCAP: opened");
            } catch (IOException e) {
                System.out.println("PCAP: " + e.getMessage());
            }
        }
    }

    interface Reader {
        int read(ByteBuffer buffer) throws IOException;
    }

    interface Call {
        void run() throws IOException;
    }

    static void assertClosed(Call call) throws IOException {
        try {
            call.run();
            fail("expected ClosedChannelException");
        } catch (ClosedChannelException expected) {
            // the contract
        }
    }

    /** Starts a reader, closes the channel under it, and checks it wakes at once with ClosedChannelException. */
    static void assertCloseWakesReader(NativeChannel channel, Reader reader) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                int n = reader.read(buffer);
                outcome.complete(new AssertionError("read returned " + n + " instead of waiting"));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, "reader-" + channel);
        thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (java.util.Arrays.stream(thread.getStackTrace()).noneMatch(f -> f.getMethodName().equals("poll"))) {
            assertTrue("the reader reaches poll(2)", System.nanoTime() < deadline && !outcome.isDone());
            Thread.sleep(5);
        }
        assertFalse("the reader is waiting", outcome.isDone());
        long start = System.nanoTime();
        channel.close();
        Throwable t = outcome.get(5, TimeUnit.SECONDS);
        long wokeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println(channel + ": close woke the reader in " + wokeMillis + " ms with " + t);
        assertTrue("ClosedChannelException, got " + t, t instanceof ClosedChannelException);
        assertTrue("woken promptly, not at the timeout: " + wokeMillis + " ms", wokeMillis < 2000);
        assertFalse(channel.leakedOnClose());
        thread.join(1000);
        channel.close(); // idempotent
    }

    static String read(Path path) throws IOException {
        return Files.readString(path).trim();
    }
}
