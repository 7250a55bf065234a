package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Netns;

/**
 * Busy-polling before sleeping ({@link NativeChannel#setBusyPoll}), on UDP sockets over loopback
 * in a namespace of the test's own: a datagram that comes while the reader busy-polls is taken
 * without the reader ever sleeping in poll(2) (no wake-up); without busy-polling the reader sleeps
 * at once; a busy-poll that runs out goes to sleep; a close ends a busy-poll. Checked on the
 * channel's counts of each kind of wait, never on timing.
 */
public class BusyPollTest {
    private static final int B = 0x7F000002;

    private static Inet4Address address(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    @Test
    public void aDatagramThatComesWhileTheReaderBusyPollsIsTakenWithoutSleeping() throws Exception {
        withSockets("BusyPollTest.aDatagramThatComesWhileTheReaderBusyPollsIsTakenWithoutSleeping", (a, b, out, in) -> {
            b.setBusyPoll(TimeUnit.SECONDS.toNanos(60)); // far longer than the test: it can only end with the datagram
            CompletableFuture<Integer> got = CompletableFuture.supplyAsync(() -> receive(b, in, 60_000));
            Await.until("the reader busy-polls", () -> b.busyPolls() == 1);
            a.send(out, 0, 100, B, 4790);
            assertEquals(1, (int) got.get(30, TimeUnit.SECONDS));
            assertEquals(100, in.length(0));
            assertEquals("the reader never slept in poll(2)", 0, b.sleeps());
        });
    }

    @Test
    public void withoutBusyPollingTheReaderSleepsAtOnceAndABusyPollThatRunsOutSleepsToo() throws Exception {
        withSockets("BusyPollTest.withoutBusyPollingTheReaderSleepsAtOnceAndABusyPollThatRunsOutSleepsToo", (a, b, out, in) -> {
            CompletableFuture<Integer> got = CompletableFuture.supplyAsync(() -> receive(b, in, 60_000));
            Await.until("the reader sleeps", () -> b.sleeps() == 1);
            a.send(out, 0, 100, B, 4790);
            assertEquals(1, (int) got.get(30, TimeUnit.SECONDS));
            assertEquals("no busy-poll by default", 0, b.busyPolls());

            b.setBusyPoll(TimeUnit.MICROSECONDS.toNanos(50));
            got = CompletableFuture.supplyAsync(() -> receive(b, in, 60_000));
            Await.until("the reader sleeps after its busy-poll ran out", () -> b.sleeps() == 2);
            assertEquals(1, b.busyPolls());
            a.send(out, 0, 100, B, 4790);
            assertEquals(1, (int) got.get(30, TimeUnit.SECONDS));
        });
    }

    @Test
    public void closingEndsABusyPoll() throws Exception {
        withSockets("BusyPollTest.closingEndsABusyPoll", (a, b, out, in) -> {
            b.setBusyPoll(TimeUnit.SECONDS.toNanos(60));
            CompletableFuture<Integer> got = CompletableFuture.supplyAsync(() -> receive(b, in, 60_000));
            Await.until("the reader busy-polls", () -> b.busyPolls() == 1);
            b.close();
            Exception e = assertThrows(Exception.class, () -> got.get(30, TimeUnit.SECONDS));
            assertEquals(ClosedChannelException.class, e.getCause().getCause().getClass());
            assertEquals(0, b.sleeps());
        });
    }

    /** What a test does with a sender a (127.0.0.1:4789), a receiver b (127.0.0.2:4790) and their buffers. */
    private interface SocketTest {
        void run(UdpSocket a, UdpSocket b, ByteBuffer out, RecvVector in) throws Exception;
    }

    /** Runs {@code test} on two UDP sockets over loopback in a namespace of its own, closing everything after. */
    private static void withSockets(String name, SocketTest test) throws Exception {
        Netns.assumeAvailable(name);
        try (Netns ns = Netns.create("ogbusy")) {
            UdpSocket a = ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, true));
            UdpSocket b = ns.call(() -> UdpSocket.open(address("127.0.0.2"), 4790, true));
            try {
                test.run(a, b, ByteBuffer.allocateDirect(2048), new RecvVector(4, 2048, 0));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    private static int receive(UdpSocket s, RecvVector v, int millis) {
        try {
            return s.receive(v, millis, true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
