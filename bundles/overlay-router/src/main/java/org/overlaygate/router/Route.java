package org.overlaygate.router;

/**
 * One route: a connected prefix (a port's subnet), a static one through a next hop on a connected
 * subnet, one out of the uplink (to its gateway), or a blackhole (matching packets are dropped without an ICMP error, as Linux's
 * {@code blackhole} routes). Immutable.
 */
final class Route {
    enum Kind {
        CONNECTED, STATIC, UPLINK, BLACKHOLE
    }

    final Prefix prefix;
    final Kind kind;
    /** The next hop of a static route, the gateway of an uplink route ({@code null} for a connected route: the destination is the next hop). */
    final Prefix via;
    /** Where matching packets leave: the port of the connected subnet (the next hop's, for a static route); {@code null} for a blackhole. */
    final RouterPort port;

    Route(Prefix prefix, Kind kind, Prefix via, RouterPort port) {
        this.prefix = prefix.network();
        this.kind = kind;
        this.via = via;
        this.port = port;
    }

    /** How it is written: {@code PREFIX via NEXTHOP}, {@code PREFIX uplink}, {@code PREFIX blackhole} or {@code PREFIX connected}. */
    String spec() {
        return prefix + (kind == Kind.BLACKHOLE ? " blackhole" : kind == Kind.STATIC ? " via " + via.address() : kind == Kind.UPLINK ? " uplink"
                : " connected");
    }
}
