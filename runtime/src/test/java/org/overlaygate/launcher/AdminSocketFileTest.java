package org.overlaygate.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A socket file is not an appliance: the one a killed appliance left is removed, readiness is one that answers. */
public class AdminSocketFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Binds a UNIX socket at {@code path} and closes it: the file stays, as after SIGKILL. */
    private static void leaveStaleSocket(Path path) throws Exception {
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
    }

    @Test
    public void aSocketNobodyAnswersOnIsRemovedAndDoesNotCountAsReady() throws Exception {
        Path sock = tmp.getRoot().toPath().resolve("overlayadm.sock");
        leaveStaleSocket(sock);
        assertTrue("the file a dead appliance leaves", Files.exists(sock));
        assertFalse(AdminSocketFile.answers(sock));
        assertFalse("existing is not answering", AdminSocketFile.await(sock, 100));
        AdminSocketFile.removeStale(sock);
        assertFalse(Files.exists(sock));
        AdminSocketFile.removeStale(sock); // nothing there: nothing to do
    }

    @Test
    public void aSocketThatAnswersIsReadyAndNeverRemoved() throws Exception {
        Path sock = tmp.getRoot().toPath().resolve("overlayadm.sock");
        leaveStaleSocket(sock);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return AdminSocketFile.await(sock, 30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Files.delete(sock);
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(sock));
            assertTrue("ready once it answers", waiting.get(30, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> AdminSocketFile.removeStale(sock));
            assertEquals("an appliance already answers on " + sock + "; stop it with bin/overlaygate stop", e.getMessage());
            assertTrue(Files.exists(sock));
        }
    }
}
