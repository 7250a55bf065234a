package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: pings from inside a namespace, in the background. Uses iputils {@code ping} when
 * it is installed; otherwise the same exchange with a raw ICMP socket opened inside the namespace
 * ({@link RawIpSocket} with protocol 1), so the tests still run where ping is missing.
 */
final class Pinger {
    /** What came of it: replies received, and a transcript for assertion messages. */
    static final class Outcome {
        final int received;
        final String transcript;

        Outcome(int received, String transcript) {
            this.received = received;
            this.transcript = transcript;
        }
    }

    private final CompletableFuture<Outcome> outcome;

    private Pinger(CompletableFuture<Outcome> outcome) {
        this.outcome = outcome;
    }

    /** True when iputils ping is there and not overridden by {@code -Doverlaygate.test.rawPing=true}. */
    static boolean havePing() {
        return !Boolean.getBoolean("overlaygate.test.rawPing") && Netns.findExecutable("ping") != null;
    }

    /** Starts {@code count} echo requests, 200 ms apart, from {@code source} to {@code target}. */
    static Pinger start(Netns ns, String source, String target, int count) throws Exception {
        if (havePing()) {
            File log = File.createTempFile("ping", ".log");
            Process p = ns.start(log, "ping", "-n", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", target);
            CompletableFuture<Outcome> f = p.onExit().thenApply(done -> {
                try {
                    String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
                    int received = 0;
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) (packets )?received").matcher(out);
                    if (m.find()) {
                        received = Integer.parseInt(m.group(1));
                    }
                    return new Outcome(received, "ping exited " + done.exitValue() + ":\n" + out);
                } catch (IOException e) {
                    return new Outcome(0, "cannot read ping output: " + e);
                } finally {
                    log.delete();
                }
            });
            return new Pinger(f);
        }
        System.out.println("no ping (not installed, or -Doverlaygate.test.rawPing=true): echo requests from a raw ICMP socket in "
                + ns.name());
        RawIpSocket socket = ns.call(() -> RawIpSocket.open(Frames.IPPROTO_ICMP, (Inet4Address) InetAddress.getByName(source)));
        int destination = RawIpSocket.toInt((Inet4Address) InetAddress.getByName(target));
        CompletableFuture<Outcome> f = CompletableFuture.supplyAsync(() -> {
            StringBuilder transcript = new StringBuilder("raw ICMP ping " + source + " -> " + target + "\n");
            int received = 0;
            ByteBuffer out = ByteBuffer.allocateDirect(128);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            int id = 0x4f47;
            try {
                for (int seq = 1; seq <= count; seq++) {
                    int length = Frames.icmpEcho(out, 0, id, seq, 56);
                    socket.send(out, 0, length, destination);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (System.nanoTime() < deadline) {
                        int n = socket.receive(in, 0, 200);
                        if (n <= 0) {
                            continue;
                        }
                        int icmp = socket.payloadOffset();
                        if ((in.get(icmp) & 0xFF) == Frames.ICMP_ECHO_REPLY && (in.getShort(icmp + 4) & 0xFFFF) == id
                                && (in.getShort(icmp + 6) & 0xFFFF) == seq && socket.sourceAddress() == destination) {
                            received++;
                            transcript.append("reply seq=").append(seq).append('\n');
                            break;
                        }
                    }
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                transcript.append("failed: ").append(e).append('\n');
            } finally {
                socket.close();
            }
            transcript.append(count).append(" transmitted, ").append(received).append(" received\n");
            return new Outcome(received, transcript.toString());
        });
        return new Pinger(f);
    }

    boolean isDone() {
        return outcome.isDone();
    }

    Outcome await(long timeoutMillis) throws Exception {
        return outcome.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
