package org.overlaygate.varpd.proxy;

/**
 * What an address query asks, which decides whether a proxy may answer it. Only
 * {@link #RESOLUTION} is answered; every other kind is left to ordinary forwarding, so that the
 * station that really holds the address answers (or not) itself. The package overview gives the
 * reasons.
 */
public enum QueryKind {
    /** "Who has this address?" to everyone: a broadcast ARP request, a multicast solicitation. Answered. */
    RESOLUTION(true),
    /**
     * Addressed to one station (unicast Ethernet destination for ARP, RFC 1122 §2.3.2.1; unicast
     * IPv6 destination for a solicitation, RFC 4861 §7.3.1 NUD): a check that the owner is alive,
     * which only the owner can truthfully answer.
     */
    REACHABILITY(false),
    /** A gratuitous ARP: sender IP equal to target IP (RFC 5227 §2.3 announcement). */
    ANNOUNCEMENT(false),
    /** An ARP probe: sender IP 0.0.0.0 (RFC 5227 §2.1.1), before a station takes an address. */
    PROBE(false),
    /** A duplicate address detection solicitation: source :: (RFC 4862 §5.4.2). */
    DAD(false);

    private final boolean proxied;

    QueryKind(boolean proxied) {
        this.proxied = proxied;
    }

    /** True when a proxy answers queries of this kind. */
    public boolean proxied() {
        return proxied;
    }
}
