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

    private static final String[] NAMES = {ROUTED, ARP_ANSWERED, NDP_ANSWERED, ECHO_ANSWERED, RA_SENT, NEIGHBOUR_PROBES,
            NEIGHBOUR_FROM_LOOKUP, HELD, ICMP_TIME_EXCEEDED, ICMP_NET_UNREACHABLE, ICMP_HOST_UNREACHABLE,
            ICMP_PORT_UNREACHABLE, ICMP_FRAG_NEEDED, ICMP_RATE_LIMITED, DROP_NO_ROUTE, DROP_BLACKHOLE,
            DROP_TTL_EXCEEDED, DROP_TOO_BIG, DROP_NEIGHBOUR_UNREACHABLE, DROP_HOLD_FULL, DROP_NEIGHBOUR_TABLE_FULL,
            DROP_MARTIAN_SOURCE, DROP_MARTIAN_DESTINATION, DROP_NOT_ROUTED_GROUP, DROP_MALFORMED_IP,
            DROP_UNKNOWN_ETHERTYPE, DROP_TO_ROUTER, DROP_ARP_FOREIGN_SENDER, DROP_EGRESS_DETACHED};

    static final int I_ROUTED = 0, I_ARP_ANSWERED = 1, I_NDP_ANSWERED = 2, I_ECHO_ANSWERED = 3, I_RA_SENT = 4,
            I_NEIGHBOUR_PROBES = 5, I_NEIGHBOUR_FROM_LOOKUP = 6, I_HELD = 7, I_ICMP_TIME_EXCEEDED = 8,
            I_ICMP_NET_UNREACHABLE = 9, I_ICMP_HOST_UNREACHABLE = 10, I_ICMP_PORT_UNREACHABLE = 11,
            I_ICMP_FRAG_NEEDED = 12, I_ICMP_RATE_LIMITED = 13, I_NO_ROUTE = 14, I_BLACKHOLE = 15,
            I_TTL_EXCEEDED = 16, I_TOO_BIG = 17, I_NEIGHBOUR_UNREACHABLE = 18, I_HOLD_FULL = 19,
            I_NEIGHBOUR_TABLE_FULL = 20, I_MARTIAN_SOURCE = 21, I_MARTIAN_DESTINATION = 22, I_NOT_ROUTED_GROUP = 23,
            I_MALFORMED_IP = 24, I_UNKNOWN_ETHERTYPE = 25, I_TO_ROUTER = 26, I_ARP_FOREIGN_SENDER = 27,
            I_EGRESS_DETACHED = 28;

    private final AtomicLongArray values = new AtomicLongArray(NAMES.length);

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

    static boolean isDrop(String name) {
        for (int i = I_NO_ROUTE; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return true;
            }
        }
        return false;
    }
}
