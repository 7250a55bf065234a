package org.overlaygate.launcher;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The admin socket as the launcher sees it: a path that exists is not an appliance that answers.
 * An appliance killed with SIGKILL leaves its socket file behind; the launcher, which took the
 * file for the sign of readiness, then wrote the pid file (and {@code bin/overlaygate --daemon}
 * returned) before the new appliance was ready, and {@code overlayadm} met "Connection refused".
 * So a socket nobody answers on is removed before the framework starts, and readiness is a
 * socket that accepts a connection.
 */
final class AdminSocketFile {
    private AdminSocketFile() {
    }

    /** Whether something accepts connections on the UNIX socket {@code path}. */
    static boolean answers(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return c.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            return false; // ECONNREFUSED: a socket file whose process is gone
        }
    }

    /**
     * Removes the socket a dead appliance left at {@code path}; nothing when there is none.
     *
     * @throws IllegalStateException when a process answers on it: another appliance serves this
     *     distribution
     */
    static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (answers(path)) {
            throw new IllegalStateException("an appliance already answers on " + path + "; stop it with bin/overlaygate stop");
        }
        Files.deleteIfExists(path);
    }

    /** Waits until something answers on {@code path}; false when {@code timeoutMs} passed first. */
    static boolean await(Path path, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!answers(path)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
