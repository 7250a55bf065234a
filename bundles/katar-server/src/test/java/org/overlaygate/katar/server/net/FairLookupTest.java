package org.overlaygate.katar.server.net;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.testsupport.Await;

/**
 * Issue 23, item 8: under a lookup fuzz a legitimate miss waited 4.4 s behind another client's
 * lookups in the one work queue. Lookups are now taken round robin between source addresses: a
 * host's miss waits for at most one lookup of each flooding address, whatever they queued.
 */
public class FairLookupTest {
    private static final long REAL = 0x020800000001L;

    @Test
    public void aRealMissIsAnsweredBeforeAFloodFromAnotherAddressDrains() throws Exception {
        Semaphore gate = new Semaphore(0);
        AtomicInteger floodAnswered = new AtomicInteger();
        Backend backend = new Backend() {
            @Override
            public Vl2Ack cachedVl2(long vnetId, long mac) {
                return null;
            }

            @Override
            public Vl2Ack loadVl2(long vnetId, long mac) throws Exception {
                if (mac != REAL) {
                    gate.acquire(); // the database, as slow as the test lets it be
                    floodAnswered.incrementAndGet();
                }
                return Vl2Ack.status(mac == REAL ? Svp.STATUS_OK : Svp.STATUS_NOTFOUND);
            }

            @Override
            public Vl3Ack cachedVl3(long vnetId, byte[] ip) {
                return null;
            }

            @Override
            public Vl3Ack loadVl3(long vnetId, byte[] ip) {
                throw new UnsupportedOperationException();
            }

            @Override
            public LogAck log(byte[] hostIp, long maxBytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void logRemove(java.util.function.Predicate<byte[]> mayRemove, List<byte[]> ids) {
                throw new UnsupportedOperationException();
            }

            @Override
            public BulkAck bulk(BulkRequest request, int maxBytes) {
                throw new UnsupportedOperationException();
            }
        };
        Limits limits = new Limits(1024, 64, 1000, 65536, 1, 4096, 30_000, 120_000);
        try (SvpServer server = new SvpServer(new InetSocketAddress("127.0.0.1", 0), limits, backend);
                Socket flood = connect("127.0.0.41", server); Socket host = connect("127.0.0.42", server)) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                b.write(Frame.encode(Svp.OP_VL2_REQ, i, new Vl2Request(0x0c0000000000L + i, 42).encode()));
            }
            flood.getOutputStream().write(b.toByteArray());
            Await.until("the flood queued", () -> server.lookupsInProgress() == 500);

            host.getOutputStream().write(Frame.encode(Svp.OP_VL2_REQ, 1, new Vl2Request(REAL, 42).encode()));
            CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> readStatus(host));
            Await.until("the host's miss queued", () -> server.lookupsInProgress() == 501);
            // One flood lookup at a time: after each, the worker runs what comes next until it blocks
            // on the next flood lookup; the host's miss was among them when one fewer is in progress.
            int released = 0;
            boolean served = false;
            while (!served && released < 50) {
                gate.release();
                released++;
                int k = released;
                Await.until("flood lookup " + k + " answered, the worker at the next", () -> floodAnswered.get() == k && gate.hasQueuedThreads());
                served = server.lookupsInProgress() == 500 - k;
            }
            assertTrue("the host's miss waited for " + released + " of the flood's 500 lookups", served && released <= 2);
            assertEquals(Svp.STATUS_OK, answer.get(30, java.util.concurrent.TimeUnit.SECONDS).intValue());
            gate.release(1000);
        }
    }

    private static Socket connect(String source, SvpServer server) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(server.address(), 5000);
        s.setSoTimeout(30_000);
        return s;
    }

    private static int readStatus(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] header = in.readNBytes(Svp.HEADER_SIZE);
            byte[] body = in.readNBytes(java.nio.ByteBuffer.wrap(header).getInt(4));
            return Vl2Ack.decode(body).status() == Svp.STATUS_OK ? Svp.STATUS_OK : (int) Vl2Ack.decode(body).status();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
