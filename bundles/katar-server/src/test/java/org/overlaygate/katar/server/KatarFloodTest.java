package org.overlaygate.katar.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.katar.client.KatarClient;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.store.ImportDocument;
import org.overlaygate.testsupport.Await;

/**
 * The memory attack of issue 23: connections within every limit pipeline BULK_REQ (each answer a
 * full 64 KiB page) and never read. The server must stop taking their requests, work in progress
 * included, so the heap stays bounded, keep serving everybody else, and give everything back when
 * they go.
 */
public class KatarFloodTest {
    private static final int ADDRESSES = 4;
    private static final int PER_ADDRESS = 16;
    private static final int BULKS = 32;
    private static final long VNET = 42;

    private Path dir;
    private KatarService service;
    private final List<Socket> flood = new ArrayList<>();

    @Before
    public void start() throws Exception {
        dir = Files.createTempDirectory("katar-flood");
        service = KatarService.start(TestServers.h2(dir));
        // More VL2 mappings than one page holds: every BULK_ACK is a full max.message.bytes page.
        List<ImportDocument.Mapping> mappings = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            mappings.add(new ImportDocument.Mapping("m" + i, VNET, 0x020800000000L + i, "cn1", 0, List.of()));
        }
        service.store().importDocument(new ImportDocument(List.of(new ImportDocument.Vnet("v", VNET, "blue")),
                List.of(new ImportDocument.Host("h", "cn1", InetAddress.getByName("10.88.0.1"), 4789)), mappings));
    }

    @After
    public void stop() throws IOException {
        for (Socket s : flood) {
            s.close();
        }
        if (service != null) {
            service.close();
        }
        TestServers.delete(dir);
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    public void connectionsThatPipelineBulkAndNeverReadHoldABoundedHeap() throws Exception {
        long before = heapAfterGc();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < BULKS; i++) {
            b.write(Frame.encode(Svp.OP_BULK_REQ, i, BulkRequest.all(Svp.BULK_VL2).encode()));
        }
        byte[] bulks = b.toByteArray();
        for (int a = 0; a < ADDRESSES; a++) {
            for (int i = 0; i < PER_ADDRESS; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096); // a client that reads nothing: the server's replies pile up in the server
                s.bind(new InetSocketAddress("127.0.0." + (10 + a), 0));
                s.connect(service.address(), 5000);
                flood.add(s);
                s.getOutputStream().write(bulks);
            }
        }
        int connections = ADDRESSES * PER_ADDRESS;
        var stats = service.server().stats();
        // Settled: every flooding connection stopped taking requests, and no lookup is left in a worker.
        Await.until("every flooding connection paused", 60_000,
                () -> stats.get("read_paused") + stats.get("read_paused_total") >= connections
                        && service.server().lookupsInProgress() == 0);
        long held = service.server().heldBytes();
        var limits = service.server().limits();
        long bound = limits.maxQueuedBytesTotal() + (long) connections * 2 * limits.largestReply();
        assertTrue("held " + held + " bytes, bound " + bound, held <= bound);
        long grown = heapAfterGc() - before;
        // Before the fix the workers built every page asked for: 64 x 32 x 64 KiB = 128 MiB; now at
        // most 4 pages a connection are held (16 MiB).
        assertTrue("the heap grew by " + (grown >> 20) + " MiB under the flood", grown < 64L * 1024 * 1024);

        // Everybody else is served meanwhile, lookups through the workers included.
        try (KatarClient other = KatarClient.connect(service.address())) {
            get(other.ping());
            assertEquals(Svp.STATUS_NOTFOUND, get(other.vl2(VNET, 0x0c0000000001L)).status());
            assertEquals(Svp.STATUS_OK, get(other.bulk(BulkRequest.all(Svp.BULK_VL2))).status());
        }

        // Gone: everything they held is given back.
        for (Socket s : flood) {
            s.close();
        }
        Await.until("the flood's connections closed", () -> service.server().connections() == 0);
        Await.until("nothing held", () -> service.server().heldBytes() == 0);
    }

    /** A client that takes none of its replies for the idle limit is closed, and what it held released. */
    @Test
    public void aClientThatNeverReadsIsClosedAfterTheIdleLimit() throws Exception {
        KatarService quick = KatarService.start(TestServers.h2(dir.resolve("quick"), "idle.timeout.ms", "500"));
        quick.store().importDocument(new ImportDocument(List.of(new ImportDocument.Vnet("v", VNET, "blue")),
                List.of(new ImportDocument.Host("h", "cn1", InetAddress.getByName("10.88.0.1"), 4789)), List.of()));
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(quick.address(), 5000);
        // Pings until the server closes the connection: however much the kernel buffers, the
        // server's own queue fills, it stops reading, and then nothing moves.
        Thread writer = new Thread(() -> {
            byte[] ping = Frame.encode(Svp.OP_PING, 1, new byte[0]);
            byte[] pings = new byte[ping.length * 4096];
            for (int i = 0; i < 4096; i++) {
                System.arraycopy(ping, 0, pings, i * ping.length, ping.length);
            }
            try {
                while (true) {
                    s.getOutputStream().write(pings);
                }
            } catch (IOException closed) {
                // the server closed it, or the test did
            }
        }, "never-reads");
        writer.start();
        try {
            Await.until("closed for not reading", 30_000, () -> quick.server().stats().get("closed_not_reading") == 1);
            Await.until("nothing held", () -> quick.server().heldBytes() == 0);
        } finally {
            s.close();
            writer.join(10_000);
            quick.close();
        }
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }
}
