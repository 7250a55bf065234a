package org.overlaygate.itests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * systemd's side of sd_notify, for tests that start the unit's command without systemd: a UNIX
 * datagram socket at a path, handed to the service as NOTIFY_SOCKET, and the messages it gets.
 */
final class NotifySocket implements AutoCloseable {
    private static final int EAGAIN = 11;
    private static final int MSG_DONTWAIT = 0x40;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final LibC LIBC = Native.load("c", LibC.class);
    final Path path;
    private final int fd;

    NotifySocket(Path path) throws IOException {
        this.path = path;
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        byte[] addr = ByteBuffer.allocate(2 + name.length + 1).order(ByteOrder.nativeOrder()).putShort((short) 1).put(name).array();
        fd = LIBC.socket(1, 2, 0);
        LIBC.bind(fd, addr, addr.length);
        path.toFile().setWritable(true, false); // the service may run as another user, as under systemd
    }

    /** The next message, or null when none came within the timeout. */
    String await(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        byte[] buf = new byte[4096];
        while (System.nanoTime() < deadline) {
            try {
                int n = LIBC.recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).intValue();
                return new String(buf, 0, n, StandardCharsets.UTF_8);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EAGAIN) {
                    throw e;
                }
            }
            Thread.sleep(5);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        LIBC.close(fd);
        Files.deleteIfExists(path);
    }
}
