package org.overlaygate.appliance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * sd_notify(3) without libsystemd: one datagram of {@code KEY=VALUE} lines to the UNIX socket named
 * by {@code $NOTIFY_SOCKET} ({@code @} for the abstract namespace), sent from this process, which
 * is the service's main process (bin/overlaygate execs java). Java 17 has no UNIX datagram sockets,
 * hence three libc calls through JNA. The kernel attaches this process's credentials, by which
 * systemd knows the sender.
 */
final class SystemdNotify {
    static final String ENV = "NOTIFY_SOCKET";
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SUN_PATH = 108;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private SystemdNotify() {
    }

    /**
     * Sends {@code message} to {@code socket}, the value of {@value #ENV}.
     *
     * @throws IOException when the socket name is unusable or sending fails
     */
    static void send(String socket, String message) throws IOException {
        byte[] addr = address(socket);
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        LibC libc = Native.load("c", LibC.class);
        int fd;
        try {
            fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM): errno " + e.getErrorCode(), e);
        }
        try {
            libc.sendto(fd, text, new NativeLong(text.length), MSG_NOSIGNAL, addr, addr.length);
        } catch (LastErrorException e) {
            throw new IOException("sending to " + socket + ": errno " + e.getErrorCode(), e);
        } finally {
            libc.close(fd);
        }
    }

    /** A {@code struct sockaddr_un} for a path, or for an abstract name written {@code @name}. */
    static byte[] address(String socket) throws IOException {
        if (socket == null || socket.length() < 2 || (socket.charAt(0) != '/' && socket.charAt(0) != '@')) {
            throw new IOException("unusable " + ENV + " '" + socket + "' (an absolute path or @name)");
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = path[0] == '@';
        if (abstractName) {
            path[0] = 0;
        }
        if (path.length + (abstractName ? 0 : 1) > SUN_PATH) {
            throw new IOException(ENV + " is longer than a UNIX socket name may be");
        }
        // family, then the name; a path ends with its NUL, an abstract name is exactly its bytes
        ByteBuffer b = ByteBuffer.allocate(2 + path.length + (abstractName ? 0 : 1)).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX).put(path);
        return b.array();
    }
}
