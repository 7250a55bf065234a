package org.overlaygate.varpd.dhcp;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.PortHandler;
import org.overlaygate.api.search.DhcpHint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP server of one network of an overlay (its untagged network or a VLAN), behind a port
 * attached to the overlay on that VLAN. On the data-path thread it only decides: a DHCP client
 * message from a VM of this host is taken off the wire (copied, and not flooded: the port answers
 * it for itself) and handed to the DHCP thread; an ARP request for the server's address is
 * answered at once. Messages from other hosts are left to their own appliance. On the DHCP thread
 * the message is parsed whole, the search plugin is asked what it knows of the client (a
 * reservation, a DHCP server to proxy to), and the reply is sent through the port.
 *
 * <p>Without a {@link Scope} (no {@code dhcp/subnet}) the server only proxies: a client the search
 * plugin names no DHCP server for is dropped and counted, as illumos' varpd drops it.
 */
final class DhcpServer implements PortHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpServer.class);
    /** How long the search plugin may take to say what it knows of a client before it is answered without. */
    static final long HINT_TIMEOUT_MS = 1000;

    /** What the server needs from the appliance. */
    interface Backend {
        CompletionStage<DhcpHint> hint(long mac, int vlan);

        /**
         * The MAC the search plugin's address mappings give {@code address} on the VLAN (katar's
         * VL3, the files plugin's {@code arp}), or 0 when it knows none or does not say.
         */
        CompletionStage<Long> ownerOf(int address, int vlan);

        /** The gateway a router attached to the overlay publishes for this VLAN, or 0. */
        int gateway(int vlan);

        /** The overlay's MTU, the VM's (option 26). */
        int mtu();

        void count(String event);

        /** The lease table changed durably: keep it. */
        void leasesChanged();
    }

    private final String name;
    private final int vlan;
    private final long mac;
    /** Null: proxy only. */
    private final LeaseTable table;
    private final Executor thread;
    private final Backend backend;
    private volatile AttachedPort port;

    DhcpServer(String name, int vlan, long mac, LeaseTable table, Executor thread, Backend backend) {
        this.name = name;
        this.vlan = vlan;
        this.mac = mac;
        this.table = table;
        this.thread = thread;
        this.backend = backend;
    }

    void attached(AttachedPort p) {
        port = p;
    }

    LeaseTable table() {
        return table;
    }

    int vlan() {
        return vlan;
    }

    long mac() {
        return mac;
    }

    // ---------------------------------------------------------------- data-path thread

    @Override
    public void receive(ByteBuffer buf, int offset, int length) {
        if (!answerArp(buf, offset, length) && DhcpMessage.isToServer(buf, offset, length)) {
            take(buf, offset, length);
        }
    }

    @Override
    public boolean receiveGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
        if (fromUnderlay) {
            return false; // the VM's own appliance answers it
        }
        if (answerArp(buf, offset, length)) {
            return true;
        }
        if (DhcpMessage.isToServer(buf, offset, length)) {
            take(buf, offset, length);
            return true;
        }
        return false;
    }

    private boolean answerArp(ByteBuffer buf, int offset, int length) {
        if (table == null) {
            return false;
        }
        int asker = DhcpReply.arpRequestFor(buf, offset, length, table.scope().server);
        if (asker == 0) {
            return false;
        }
        AttachedPort p = port;
        if (p != null) {
            p.send(ByteBuffer.wrap(DhcpReply.arpReply(mac, table.scope().server, DhcpMessage.mac(buf, offset + 6), asker)));
        }
        return true;
    }

    private void take(ByteBuffer buf, int offset, int length) {
        byte[] copy = new byte[length];
        buf.get(offset, copy);
        try {
            thread.execute(() -> handle(copy));
        } catch (RejectedExecutionException e) {
            backend.count(DhcpEvents.QUEUE_FULL);
        }
    }

    // ---------------------------------------------------------------- DHCP thread

    void handle(byte[] frame) {
        DhcpMessage m;
        try {
            m = DhcpMessage.parse(frame);
        } catch (DhcpMessage.Malformed e) {
            backend.count(DhcpEvents.MALFORMED);
            LOG.debug("{}: DHCP message dropped: {}", name, e.getMessage());
            return;
        }
        CompletableFuture<DhcpHint> hint = new CompletableFuture<>();
        try {
            backend.hint(m.chaddr, vlan).whenComplete((h, t) -> hint.complete(h == null ? DhcpHint.NONE : h));
        } catch (RuntimeException | LinkageError e) { // a plugin being replaced
            hint.complete(DhcpHint.NONE);
        }
        int asked = m.requestedIp != 0 ? m.requestedIp : m.ciaddr;
        CompletableFuture<Long> owner = new CompletableFuture<>();
        if (table == null || asked == 0 || table.scope().reservations.containsKey(m.chaddr)) {
            owner.complete(0L);
        } else {
            try {
                backend.ownerOf(asked, vlan).whenComplete((o, t) -> owner.complete(o == null ? 0L : o));
            } catch (RuntimeException | LinkageError e) {
                owner.complete(0L);
            }
        }
        hint.completeOnTimeout(DhcpHint.NONE, HINT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .thenCombine(owner.completeOnTimeout(0L, HINT_TIMEOUT_MS, TimeUnit.MILLISECONDS), (h, o) -> {
                    // the mapping gives the address the client asks for to this very client: its reservation
                    return o == m.chaddr && h.reserved() == null ? new DhcpHint(address(asked), h.proxyMac()) : h;
                })
                .thenAcceptAsync(h -> respond(m, frame, h), thread)
                .exceptionally(t -> {
                    LOG.warn("{}: DHCP {} from {} not answered: {}", name, DhcpMessage.typeName(m.type), MacAddress.format(m.chaddr), t.toString());
                    return null;
                });
    }

    private static java.net.Inet4Address address(int a) {
        try {
            return (java.net.Inet4Address) java.net.InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(a).array());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    void respond(DhcpMessage m, byte[] frame, DhcpHint hint) {
        AttachedPort p = port;
        if (p == null) {
            return;
        }
        if (hint.proxyMac() != 0) {
            ByteBuffer b = ByteBuffer.wrap(frame);
            DhcpReply.putMac(b, 0, hint.proxyMac());
            p.send(b);
            backend.count(DhcpEvents.PROXIED);
            return;
        }
        if (table == null) {
            backend.count(DhcpEvents.NO_PROXY);
            return;
        }
        Scope scope = table.scope();
        Integer configured = scope.reservations.get(m.chaddr);
        int reserved = configured != null ? configured : 0;
        if (reserved == 0 && hint.reserved() != null) {
            int a = java.nio.ByteBuffer.wrap(hint.reserved().getAddress()).getInt();
            if (scope.assignable(a) && a != scope.router) {
                reserved = a;
            } else {
                LOG.warn("{}: the address the search plugin reserves for {}, {}, is not on {}", name, MacAddress.format(m.chaddr),
                        hint.reserved().getHostAddress(), scope);
            }
        }
        DhcpReply.Answer a = Responder.answer(m, table, reserved, backend::count);
        if (table.takeChanged()) {
            backend.leasesChanged();
        }
        if (a == null) {
            return;
        }
        int router = scope.router != 0 ? scope.router : backend.gateway(vlan);
        p.send(ByteBuffer.wrap(DhcpReply.frame(m, a, scope, mac, router, backend.mtu())));
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {} from {} answered {} {}", name, DhcpMessage.typeName(m.type), MacAddress.format(m.chaddr),
                    DhcpMessage.typeName(a.type), DhcpConfig.format(a.yiaddr));
        }
    }
}
