package org.overlaygate.appliance;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/** READY=1 reaches a notification socket as systemd's is made: a UNIX datagram socket, by path and abstract. */
public class SystemdNotifyTest {

    /** What systemd does on its side: bind a datagram socket and receive. */
    interface Receiver extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static String sendAndReceive(String name) throws IOException {
        Receiver libc = Native.load("c", Receiver.class);
        int fd = libc.socket(1, 2, 0);
        try {
            byte[] addr = SystemdNotify.address(name);
            libc.bind(fd, addr, addr.length);
            SystemdNotify.send(name, "READY=1\nSTATUS=ready");
            byte[] buf = new byte[256];
            int n = libc.recv(fd, buf, new NativeLong(buf.length), 0x40 /* MSG_DONTWAIT: it is there already */).intValue();
            return new String(buf, 0, n, StandardCharsets.UTF_8);
        } finally {
            libc.close(fd);
        }
    }

    @Test
    public void readyReachesAPathSocket() throws Exception {
        Path dir = Files.createTempDirectory("og-notify");
        try {
            assertEquals("READY=1\nSTATUS=ready", sendAndReceive(dir.resolve("notify").toString()));
        } finally {
            Files.deleteIfExists(dir.resolve("notify"));
            Files.delete(dir);
        }
    }

    @Test
    public void readyReachesAnAbstractSocket() throws Exception {
        assertEquals("READY=1\nSTATUS=ready", sendAndReceive("@og-notify-test-" + ProcessHandle.current().pid()));
    }

    @Test
    public void addressesAreSockaddrUn() throws Exception {
        byte[] a = SystemdNotify.address("@ab");
        assertEquals(5, a.length); // family (2 bytes), NUL, 'a', 'b': an abstract name has no terminating NUL
        assertArrayEquals(new byte[] {0, 'a', 'b'}, java.util.Arrays.copyOfRange(a, 2, 5));
        assertEquals(2 + "/run/x".length() + 1, SystemdNotify.address("/run/x").length);
        assertTrue(assertThrows(IOException.class, () -> SystemdNotify.address("relative")).getMessage().contains("unusable"));
        assertThrows(IOException.class, () -> SystemdNotify.address("/" + "x".repeat(200)));
    }
}
