package org.overlaygate.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/** Ports for tests that bind on loopback. */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A UDP port free on 127.0.0.1 a moment ago (the kernel's choice: another test is unlikely to take it meanwhile). */
    public static int freeUdpPort() throws IOException {
        try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }
}
