package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Test;

public class AdminSocketServerTest {

    @Test
    public void defaultSocketLivesUnderTheDistribution() {
        assertEquals(Path.of("/opt/og/run/overlayadm.sock"), AdminSocketServer.socketPath(null, "/opt/og"));
        assertEquals(Path.of("/tmp/x.sock"), AdminSocketServer.socketPath("/tmp/x.sock", "/opt/og"));
    }

    @Test
    public void bindsOwnerOnlyAndReplacesAStaleSocket() throws IOException {
        Path dir = Files.createTempDirectory("og-admin");
        Path sock = dir.resolve("run/adm.sock");
        try {
            try (ServerSocketChannel first = AdminSocketServer.bind(sock)) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent())));
                IOException busy = assertThrows(IOException.class, () -> AdminSocketServer.bind(sock));
                assertTrue(busy.getMessage(), busy.getMessage().startsWith("another appliance is already listening"));
            }
            assertTrue("a closed server leaves its file behind, as a crash would", Files.exists(sock));
            try (ServerSocketChannel second = AdminSocketServer.bind(sock)) {
                assertTrue(second.isOpen());
            }
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(sock.getParent());
            Files.deleteIfExists(dir);
        }
    }

    @Test
    public void framesRoundTrip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] line = "overlay:plugins".getBytes(StandardCharsets.UTF_8);
        out.writeInt(line.length);
        out.write(line);
        assertEquals("overlay:plugins", AdminProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));

        ByteArrayOutputStream tooLong = new ByteArrayOutputStream();
        new DataOutputStream(tooLong).writeInt(AdminProtocol.MAX_REQUEST + 1);
        assertThrows(IOException.class, () -> AdminProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(tooLong.toByteArray()))));
    }

    @Test
    public void operatorErrorsShowOnlyTheirMessage() {
        assertEquals("overlay ovl0 has VNICs", CommandErrors.message(new IllegalStateException("overlay ovl0 has VNICs")));
        assertEquals("internal error: NullPointerException (details in the log)", CommandErrors.message(new NullPointerException()));
    }
}
