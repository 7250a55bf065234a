package org.overlaygate.router;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A router's counters: packets routed, answers it gave as a host, ICMP errors sent by kind, and
 * every drop by its reason (each explained in docs/glossary.md). Counting allocates nothing.
 */
final class RouterCounters {
    // events
    static final String ROUTED = "routed";
    static final String ARP_ANSWERED = "arp_answered";
    static final String NDP_ANSWERED = "ndp_answered";
    static final String ECHO_ANSWERED = "echo_answered";
    static final String RA_SENT = "router_advertisements";
    static final String NEIGHBOUR_PROBES = "neighbour_probes";
    static final String NEIGHBOUR_FROM_LOOKUP = "neighbour_from_lookup";
    static final String HELD = "held_for_neighbour";
    static final String FRAGMENTED = "fragmented";
    static final String NAT_TRANSLATED = "nat_translated";
    static final String ICMP_TIME_EXCEEDED = "icmp_time_exceeded";
    static final String ICMP_NET_UNREACHABLE = "icmp_net_unreachable";
    static final String ICMP_HOST_UNREACHABLE = "icmp_host_unreachable";
    static final String ICMP_PORT_UNREACHABLE = "icmp_port_unreachable";
    static final String ICMP_FRAG_NEEDED = "icmp_frag_needed";
    static final String ICMP_RATE_LIMITED = "icmp_rate_limited";
    // drops
    static final String DROP_NO_ROUTE = "no_route";
    static final String DROP_BLACKHOLE = "blackhole";
    static final String DROP_TTL_EXCEEDED = "ttl_exceeded";
    static final String DROP_TOO_BIG = "exceeds_egress_mtu";
    static final String DROP_NEIGHBOUR_UNREACHABLE = "neighbour_unreachable";
    static final String DROP_HOLD_FULL = "hold_queue_full";
    static final String DROP_NEIGHBOUR_TABLE_FULL = "neighbour_table_full";
    static final String DROP_MARTIAN_SOURCE = "martian_source";
    static final String DROP_MARTIAN_DESTINATION = "martian_destination";
    static final String DROP_NOT_ROUTED_GROUP = "group_not_routed";
    static final String DROP_MALFORMED_IP = "router_malformed_ip";
    static final String DROP_UNKNOWN_ETHERTYPE = "unknown_ethertype";
    static final String DROP_TO_ROUTER = "to_router_unanswered";
    static final String DROP_ARP_FOREIGN_SENDER = "arp_foreign_sender";
    static final String DROP_EGRESS_DETACHED = "egress_detached";
    static final String DROP_NAT_TABLE_FULL = "nat_table_full";
    static final String DROP_NAT_UNTRANSLATABLE = "nat_untranslatable";

    private static final String[] NAMES = {ROUTED, ARP_ANSWERED, NDP_ANSWERED, ECHO_ANSWERED, RA_SENT, NEIGHBOUR_PROBES,
            NEIGHBOUR_FROM_LOOKUP, HELD, FRAGMENTED, NAT_TRANSLATED, ICMP_TIME_EXCEEDED, ICMP_NET_UNREACHABLE, ICMP_HOST_UNREACHABLE,
            ICMP_PORT_UNREACHABLE, ICMP_FRAG_NEEDED, ICMP_RATE_LIMITED, DROP_NO_ROUTE, DROP_BLACKHOLE,
            DROP_TTL_EXCEEDED, DROP_TOO_BIG, DROP_NEIGHBOUR_UNREACHABLE, DROP_HOLD_FULL, DROP_NEIGHBOUR_TABLE_FULL,
            DROP_MARTIAN_SOURCE, DROP_MARTIAN_DESTINATION, DROP_NOT_ROUTED_GROUP, DROP_MALFORMED_IP,
            DROP_UNKNOWN_ETHERTYPE, DROP_TO_ROUTER, DROP_ARP_FOREIGN_SENDER, DROP_EGRESS_DETACHED, DROP_NAT_TABLE_FULL,
            DROP_NAT_UNTRANSLATABLE};

    // indexes into the counters, in the order of NAMES
    static final int I_ROUTED = index(ROUTED);
    static final int I_ARP_ANSWERED = index(ARP_ANSWERED);
    static final int I_NDP_ANSWERED = index(NDP_ANSWERED);
    static final int I_ECHO_ANSWERED = index(ECHO_ANSWERED);
    static final int I_RA_SENT = index(RA_SENT);
    static final int I_NEIGHBOUR_PROBES = index(NEIGHBOUR_PROBES);
    static final int I_NEIGHBOUR_FROM_LOOKUP = index(NEIGHBOUR_FROM_LOOKUP);
    static final int I_HELD = index(HELD);
    static final int I_FRAGMENTED = index(FRAGMENTED);
    static final int I_NAT_TRANSLATED = index(NAT_TRANSLATED);
    static final int I_ICMP_TIME_EXCEEDED = index(ICMP_TIME_EXCEEDED);
    static final int I_ICMP_NET_UNREACHABLE = index(ICMP_NET_UNREACHABLE);
    static final int I_ICMP_HOST_UNREACHABLE = index(ICMP_HOST_UNREACHABLE);
    static final int I_ICMP_PORT_UNREACHABLE = index(ICMP_PORT_UNREACHABLE);
    static final int I_ICMP_FRAG_NEEDED = index(ICMP_FRAG_NEEDED);
    static final int I_ICMP_RATE_LIMITED = index(ICMP_RATE_LIMITED);
    static final int I_NO_ROUTE = index(DROP_NO_ROUTE);
    static final int I_BLACKHOLE = index(DROP_BLACKHOLE);
    static final int I_TTL_EXCEEDED = index(DROP_TTL_EXCEEDED);
    static final int I_TOO_BIG = index(DROP_TOO_BIG);
    static final int I_NEIGHBOUR_UNREACHABLE = index(DROP_NEIGHBOUR_UNREACHABLE);
    static final int I_HOLD_FULL = index(DROP_HOLD_FULL);
    static final int I_NEIGHBOUR_TABLE_FULL = index(DROP_NEIGHBOUR_TABLE_FULL);
    static final int I_MARTIAN_SOURCE = index(DROP_MARTIAN_SOURCE);
    static final int I_MARTIAN_DESTINATION = index(DROP_MARTIAN_DESTINATION);
    static final int I_NOT_ROUTED_GROUP = index(DROP_NOT_ROUTED_GROUP);
    static final int I_MALFORMED_IP = index(DROP_MALFORMED_IP);
    static final int I_UNKNOWN_ETHERTYPE = index(DROP_UNKNOWN_ETHERTYPE);
    static final int I_TO_ROUTER = index(DROP_TO_ROUTER);
    static final int I_ARP_FOREIGN_SENDER = index(DROP_ARP_FOREIGN_SENDER);
    static final int I_EGRESS_DETACHED = index(DROP_EGRESS_DETACHED);
    static final int I_NAT_TABLE_FULL = index(DROP_NAT_TABLE_FULL);
    static final int I_NAT_UNTRANSLATABLE = index(DROP_NAT_UNTRANSLATABLE);

    private final AtomicLongArray values = new AtomicLongArray(NAMES.length);

    private static int index(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException(name);
    }

    void increment(int index) {
        values.incrementAndGet(index);
    }

    long get(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return values.get(i);
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** Every counter by name, in a fixed order (events first, then drops). */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            out.put(NAMES[i], values.get(i));
        }
        return out;
    }

    /** Drops come after the events in {@link #NAMES}, from {@link #DROP_NO_ROUTE} on. */
    static boolean isDrop(String name) {
        return index(name) >= I_NO_ROUTE;
    }
}
