package org.overlaygate.core.underlay;

import java.util.Objects;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.UnderlayTransport;

/** Identifies a shared underlay socket: one per (encapsulation, transport, listen address and port). */
public final class UnderlayKey {
    final String encapsulation;
    final UnderlayTransport.Kind kind;
    final int protocol;
    final UnderlayAddress listen;

    public UnderlayKey(String encapsulation, UnderlayTransport transport, UnderlayAddress listen) {
        this.encapsulation = Objects.requireNonNull(encapsulation);
        this.kind = transport.kind();
        this.protocol = transport.kind() == UnderlayTransport.Kind.IP ? transport.number() : 17;
        this.listen = Objects.requireNonNull(listen);
    }

    /** Whether the transport is UDP (rather than an IP protocol of its own). */
    public boolean overUdp() {
        return kind == UnderlayTransport.Kind.UDP;
    }

    public UnderlayAddress listen() {
        return listen;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof UnderlayKey)) {
            return false;
        }
        UnderlayKey k = (UnderlayKey) o;
        return encapsulation.equals(k.encapsulation) && kind == k.kind && protocol == k.protocol && listen.equals(k.listen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(encapsulation, kind, protocol, listen);
    }

    /** {@code vxlan udp 10.0.0.1:4789} or {@code nvgre ip/47 10.0.0.1}. */
    @Override
    public String toString() {
        return encapsulation + " " + (kind == UnderlayTransport.Kind.UDP ? "udp " : "ip/" + protocol + " ") + listen;
    }
}
