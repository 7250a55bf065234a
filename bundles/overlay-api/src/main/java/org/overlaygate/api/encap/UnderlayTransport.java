package org.overlaygate.api.encap;

import java.util.Objects;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.property.PropertyValues;

/**
 * The underlay transport an encapsulation needs, which the core opens and owns: either UDP to a
 * port, or raw IP with a protocol number. It also names the plugin properties that hold the listen
 * address (and port), so the core knows which socket an overlay needs.
 */
public final class UnderlayTransport {
    /** The two kinds of underlay transport. */
    public enum Kind {
        /** UDP datagrams; the encapsulation header follows the UDP header. */
        UDP,
        /** Raw IP packets of one protocol number; the header follows the IP header. */
        IP
    }

    private final Kind kind;
    private final int number;
    private final String listenAddressProperty;
    private final String listenPortProperty;

    private UnderlayTransport(Kind kind, int number, String listenAddressProperty, String listenPortProperty) {
        this.kind = kind;
        this.number = number;
        this.listenAddressProperty = Objects.requireNonNull(listenAddressProperty);
        this.listenPortProperty = listenPortProperty;
    }

    /**
     * UDP with a default destination port.
     *
     * @param defaultPort the well-known port (4789 for VXLAN)
     * @param listenAddressProperty the plugin property holding the local address to bind
     * @param listenPortProperty the plugin property holding the local port to bind
     */
    public static UnderlayTransport udp(int defaultPort, String listenAddressProperty, String listenPortProperty) {
        if (defaultPort < 1 || defaultPort > 65535) {
            throw new IllegalArgumentException("bad port " + defaultPort);
        }
        return new UnderlayTransport(Kind.UDP, defaultPort, listenAddressProperty, Objects.requireNonNull(listenPortProperty));
    }

    /**
     * Raw IP with a protocol number (47 for GRE).
     *
     * @param listenAddressProperty the plugin property holding the local address to use
     */
    public static UnderlayTransport ipProtocol(int protocol, String listenAddressProperty) {
        if (protocol < 1 || protocol > 255) {
            throw new IllegalArgumentException("bad IP protocol " + protocol);
        }
        return new UnderlayTransport(Kind.IP, protocol, listenAddressProperty, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The default UDP port, or the IP protocol number. */
    public int number() {
        return number;
    }

    public String listenAddressProperty() {
        return listenAddressProperty;
    }

    /** The listen-port property of a UDP transport; {@code null} for IP. */
    public String listenPortProperty() {
        return listenPortProperty;
    }

    /**
     * The listen address (and port, for UDP) an overlay's validated encapsulation properties name:
     * where it receives, and the key of the underlay socket it shares with others.
     */
    public UnderlayAddress listenAddress(PropertyValues values) {
        int port = kind == Kind.UDP ? values.getInt(listenPortProperty) : 0;
        return UnderlayAddress.of(values.getAddress(listenAddressProperty), port);
    }

    /** {@code udp/4789} or {@code ip/47}, as {@code overlay:plugins} prints it. */
    @Override
    public String toString() {
        return (kind == Kind.UDP ? "udp/" : "ip/") + number;
    }
}
