package org.overlaygate.katar.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;

/** The client against a scripted server on loopback: replies out of order, and a bad CRC. */
public class KatarClientTest {
    interface Script {
        void run(DataInputStream in, OutputStream out) throws Exception;
    }

    /** Runs one scripted connection on a free loopback port. */
    static InetSocketAddress serve(Script script) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (server; Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                script.run(in, s.getOutputStream());
                while (in.read() >= 0) { // keep the connection until the client is done with it
                    continue;
                }
            } catch (Exception ignored) {
                // the test sees the effect
            }
        });
        t.setDaemon(true);
        t.start();
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    static int[] readRequest(DataInputStream in) throws Exception {
        byte[] header = new byte[16];
        in.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header);
        in.readFully(new byte[h.getInt(4)]);
        return new int[] {h.getShort(2), h.getInt(8)};
    }

    static byte[] okAck(int id, int port) {
        return Frame.encode(Svp.OP_VL2_ACK, id, new Vl2Ack(0, port, Addresses.toWire(Addresses.parseIp("10.0.0.2"))).encode());
    }

    @Test
    public void repliesInAnyOrderReachTheirRequests() throws Exception {
        InetSocketAddress a = serve((in, out) -> {
            int first = readRequest(in)[1];
            int second = readRequest(in)[1];
            out.write(okAck(second, 2)); // the second answered first
            out.write(okAck(first, 1));
            out.flush();
        });
        try (KatarClient c = KatarClient.connect(a)) {
            CompletableFuture<Vl2Ack> one = c.vl2(1, 0x020820000001L);
            CompletableFuture<Vl2Ack> two = c.vl2(1, 0x020820000002L);
            assertEquals(1, one.get(5, TimeUnit.SECONDS).port());
            assertEquals(2, two.get(5, TimeUnit.SECONDS).port());
        }
    }

    @Test
    public void aReplyWithABadCrcClosesTheConnectionAndFailsEveryRequest() throws Exception {
        InetSocketAddress a = serve((in, out) -> {
            int id = readRequest(in)[1];
            readRequest(in);
            byte[] reply = okAck(id, 1);
            reply[reply.length - 1] ^= 1;
            out.write(reply);
            out.flush();
        });
        try (KatarClient c = KatarClient.connect(a)) {
            CompletableFuture<Vl2Ack> one = c.vl2(1, 0x020820000001L);
            CompletableFuture<Vl2Ack> two = c.vl2(1, 0x020820000002L);
            for (CompletableFuture<Vl2Ack> f : java.util.List.of(one, two)) {
                try {
                    f.get(5, TimeUnit.SECONDS);
                    fail("a reply with a bad CRC was accepted");
                } catch (ExecutionException e) {
                    assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("CRC mismatch"));
                }
            }
            c.closed().get(5, TimeUnit.SECONDS);
            assertFalse(c.isOpen());
            assertEquals(ProtocolException.Reason.BAD_CRC, ((ProtocolException) c.failure()).reason());
        }
    }

    @Test
    public void commandLineChecksInputBeforeConnecting() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KatarClientMain.run(new String[] {"-s", "127.0.0.1:1", "vl2", "42", "nonsense"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8).startsWith("katar-client: bad MAC address 'nonsense': expected six octets"));
        err.reset();
        status = KatarClientMain.run(new String[] {"-s", "127.0.0.1:1", "ping"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).startsWith("katar-client: cannot reach 127.0.0.1:1"));
    }
}
