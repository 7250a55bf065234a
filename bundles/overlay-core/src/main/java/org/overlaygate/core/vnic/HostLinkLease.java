package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.HostLink;

/**
 * What a service holds of a {@link HostLinkPort}: one claim on it. Closing the lease gives the
 * port back to the data path, which may keep a TAP device for a while so that the service's next
 * version (its bundle updated) gets the same device, with the host side's addresses and routes
 * still on it. A closed lease sends nothing and is never given frames again, whoever claims the
 * port next.
 */
public final class HostLinkLease implements HostLink {
    private final HostLinkPort port;
    private final Consumer<HostLinkPort> release;
    private volatile boolean closed;

    /** @param release what the data path does with the port when the lease is closed (after its handler is taken off) */
    public HostLinkLease(HostLinkPort port, Consumer<HostLinkPort> release) {
        this.port = port;
        this.release = release;
    }

    @Override
    public String osName() {
        return port.osName();
    }

    @Override
    public boolean createdTap() {
        return port.createdTap();
    }

    @Override
    public long hostMac() {
        return port.hostMac();
    }

    @Override
    public int mtu() {
        return port.mtu();
    }

    @Override
    public void send(ByteBuffer direct, int offset, int length) {
        if (closed) {
            port.dropUnclaimed();
            return;
        }
        port.send(direct, offset, length);
    }

    @Override
    public DeviceStats.Counters stats() {
        return port.stats();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        port.claim(null);
        release.accept(port);
    }
}
