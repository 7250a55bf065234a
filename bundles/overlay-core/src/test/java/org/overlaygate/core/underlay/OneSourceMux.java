package org.overlaygate.core.underlay;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.UnderlayTransport;

/** A mux on one fake socket, for tests of the receive loop: sends nothing anywhere, joins no group. */
class OneSourceMux extends BaseMux {
    final PacketSource source;

    OneSourceMux(PacketSource source) {
        super(new UnderlayKey("t", UnderlayTransport.udp(4789, "t/listen_ip", "t/listen_port"), UnderlayAddress.parse("127.0.0.1:4789")),
                () -> null);
        this.source = source;
    }

    @Override
    PacketSource openGroup(InetAddress group, String interfaceName) {
        throw new UnsupportedOperationException();
    }

    @Override
    void setGroupSending(String interfaceName, int ttl) {
    }

    @Override
    void closeSockets() {
        source.close();
    }

    @Override
    public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
        return null;
    }
}
