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
        Netns.assumeAvailable("BusyPollTest.aDatagramThatComesWhileTheReaderBusyPollsIsTakenWithoutSleeping");
        try (Netns ns = Netns.create("ogbusy")) {
            UdpSocket a = ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, true));
            UdpSocket b = ns.call(() -> UdpSocket.open(address("127.0.0.2"), 4790, true));
            try {
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                RecvVector in = new RecvVector(4, 2048, 0);
                b.setBusyPoll(TimeUnit.SECONDS.toNanos(60)); // far longer than the test: it can only end with the datagram
                CompletableFuture<Integer> got = CompletableFuture.supplyAsync(() -> receive(b, in, 60_000));
                Await.until("the reader busy-polls", () -> b.busyPolls() == 1);
                a.send(out, 0, 100, B, 4790);
                assertEquals(1, (int) got.get(30, TimeUnit.SECONDS));
                assertEquals(100, in.length(0));
                assertEquals("the reader never slept in poll(2)", 0, b.sleeps());
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    public void withoutBusyPollingTheReaderSleepsAtOnceAndABusyPollThatRunsOutSleepsToo() throws Exception {
        Netns.assumeAvailable("BusyPollTest.withoutBusyPollingTheReaderSleepsAtOnceAndABusyPollThatRunsOutSleepsToo");
        try (Netns ns = Netns.create("ogbusy")) {
            UdpSocket a = ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, true));
            UdpSocket b = ns.call(() -> UdpSocket.open(address("127.0.0.2"), 4790, true));
            try {
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                RecvVector in = new RecvVector(4, 2048, 0);
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
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    public void closingEndsABusyPoll() throws Exception {
        Netns.assumeAvailable("BusyPollTest.closingEndsABusyPoll");
        try (Netns ns = Netns.create("ogbusy")) {
            UdpSocket b = ns.call(() -> UdpSocket.open(address("127.0.0.2"), 4790, true));
            RecvVector in = new RecvVector(4, 2048, 0);
            b.setBusyPoll(TimeUnit.SECONDS.toNanos(60));
            CompletableFuture<Integer> got = CompletableFuture.supplyAsync(() -> receive(b, in, 60_000));
            Await.until("the reader busy-polls", () -> b.busyPolls() == 1);
            b.close();
            Exception e = assertThrows(Exception.class, () -> got.get(30, TimeUnit.SECONDS));
            assertEquals(ClosedChannelException.class, e.getCause().getCause().getClass());
            assertEquals(0, b.sleeps());
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
