package org.overlaygate.varpd.dhcp;

/** The names under which the DHCP server counts what it did, as events of the overlay ({@code overlay:stats}); explained in docs/glossary.md. */
final class DhcpEvents {
    static final String OFFERS = "dhcp_offers";
    static final String ACKS = "dhcp_acks";
    static final String NAKS = "dhcp_naks";
    static final String INFORMS = "dhcp_informs";
    static final String RELEASES = "dhcp_releases";
    static final String DECLINES = "dhcp_declines";
    static final String MALFORMED = "dhcp_malformed";
    static final String POOL_EXHAUSTED = "dhcp_pool_exhausted";
    static final String OTHER_SERVER = "dhcp_other_server";
    static final String RELAYED = "dhcp_relayed_ignored";
    static final String QUEUE_FULL = "dhcp_queue_full";
    static final String PROXIED = "dhcp_proxied";
    static final String NO_PROXY = "dhcp_no_proxy";
    static final String LEASES_NOT_WRITTEN = "dhcp_leases_not_written";

    private DhcpEvents() {
    }
}
