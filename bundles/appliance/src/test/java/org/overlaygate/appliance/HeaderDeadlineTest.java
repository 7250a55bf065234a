package org.overlaygate.appliance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.After;
import org.junit.Test;
import org.overlaygate.testsupport.Await;

/** A real Jetty server on loopback with the deadline on its connector, as Felix HTTP's would have it. */
public class HeaderDeadlineTest {
    private Server server;
    private HeaderDeadline deadline;

    @After
    public void stop() throws Exception {
        if (deadline != null) {
            deadline.deactivate();
        }
        if (server != null) {
            server.stop();
        }
    }

    private int start(long deadlineMillis) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.write(true, java.nio.ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        });
        server.start();
        deadline = new HeaderDeadline(deadlineMillis);
        server.addConnector(deadline.createConnector(server));
        return connector.getLocalPort();
    }

    private static String request() {
        return "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    /** Reads an answer's status line and its 2-byte body. */
    private static String answer(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("ok")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after: " + b);
            }
            b.append((char) c);
        }
        return b.substring(0, b.indexOf("\r\n"));
    }

    @Test
    public void headersDrippedByteByByteAreCutOffButAnIdleKeepAliveConnectionIsNot() throws Exception {
        int port = start(500);
        try (Socket idle = new Socket("127.0.0.1", port); Socket slow = new Socket("127.0.0.1", port)) {
            idle.getOutputStream().write(request().getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", answer(idle.getInputStream()));

            OutputStream out = slow.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.setSoTimeout(100);
            InputStream in = slow.getInputStream();
            boolean[] closed = {false};
            Await.until("the server closes the connection whose headers never end", 30_000, () -> {
                try {
                    out.write('X'); // one byte of a header that never ends: the idle timeout alone would wait for ever
                    out.flush();
                    closed[0] = in.read() < 0;
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (IOException e) {
                    closed[0] = true; // reset by the server
                }
                return closed[0];
            });
            assertTrue(deadline.closed() >= 1);

            // The keep-alive connection was idle longer than the deadline: it still serves.
            idle.getOutputStream().write(request().getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", answer(idle.getInputStream()));
        }
    }
}
