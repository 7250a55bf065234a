package org.overlaygate.search.katar;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Svp;

/** {@link ServerPool} on its own, with interleavings of its threads that a test through the plugin only meets by chance. */
public class ServerPoolTest {
    @Test
    public void aRequestWaitingAtStartGoesOutEvenWhenTheConnectIsDoneBeforeTheResolverHasRecordedTheConnection() throws Exception {
        Script script = new Script();
        script.vl2.put(KatarSearchTest.MAC_B, Script.at("10.0.0.2", 4789));
        // The pool hands a new connection's connect to its executor while resolving. Here the connect
        // runs at once, on the resolving thread: the order a busy machine gives when that thread is
        // preempted right after handing it over and the pool thread connects (on loopback) and
        // drains the waiting requests before the resolving thread goes on.
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1) {
            @Override
            public void execute(Runnable command) {
                command.run();
            }
        };
        try (FakeSvpServer srv = new FakeSvpServer(script);
                ServerPool pool = new ServerPool("127.0.0.1", srv.port(), KatarSearchTest.FAST, InetAddress::getAllByName, executor)) {
            CompletableFuture<Frame> answer = new CompletableFuture<>();
            pool.submit(new Request(Svp.OP_VL2_REQ, new Vl2Request(KatarSearchTest.MAC_B, KatarSearchTest.VNET).encode(), null) {
                @Override
                protected void reply(Frame reply) {
                    answer.complete(reply);
                }

                @Override
                protected void failed(String why, boolean refused) {
                    answer.completeExceptionally(new AssertionError(why));
                }
            });
            assertEquals("no connection yet: the request waits", 1L, (long) pool.stats().get("requests_waiting"));

            pool.start();
            Vl2Ack ack = Vl2Ack.decode(answer.get(5, TimeUnit.SECONDS).payload());
            assertEquals(Svp.STATUS_OK, ack.status());
            assertArrayEquals(Script.at("10.0.0.2", 4789).ip(), ack.ip());
            assertEquals(0L, (long) pool.stats().get("requests_waiting"));
            assertEquals(1, srv.accepted.get());
        } finally {
            executor.shutdownNow();
        }
    }
}
