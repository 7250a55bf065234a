package org.overlaygate.core.base;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The I/O features the data path uses where the kernel has them, by the names the operator sees
 * and sets ({@code overlaygate.core.offloads}). Each is probed where it applies (a socket, a TAP
 * device) and falls back on its own.
 */
public enum Offload {
    /** recvmmsg(2)/sendmmsg(2): many datagrams per system call on underlay sockets. */
    MMSG("mmsg"),
    /** UDP_GRO on the receiving UDP socket: a train of datagrams of one flow per receive. */
    UDP_GRO("udp_gro"),
    /**
     * UDP_SEGMENT on sending UDP sockets: a train of datagrams per send, cut by the kernel. Left
     * off by default where the underlay device completes no checksums (a veth, a TAP, a bridge of
     * them): see {@link #forced}.
     */
    UDP_GSO("udp_gso"),
    /** The TAP hands over TCP segments of up to 64 KiB with partial checksums (TUNSETOFFLOAD). */
    TAP_TSO("tap_tso"),
    /** TCP segments received from the underlay are written to the TAP coalesced (GSO vnet header). */
    TAP_GRO("tap_gro");

    private final String label;

    Offload(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * The features an operator's setting allows: {@code all} (or empty), {@code none}, or a
     * comma-separated list of names, each optionally prefixed with '-' to remove it from all
     * ({@code -udp_gso,-udp_gro}) or, for {@code udp_gso} only, with '+' to use it even where the
     * underlay device completes no checksums ({@code +udp_gso}: all, that one forced). A list
     * whose first item has a sign starts from all, otherwise from none.
     *
     * @throws IllegalArgumentException naming what is not a feature
     */
    public static Set<Offload> parse(String setting) {
        return parse(setting, false);
    }

    /**
     * The features a setting forces ({@code +NAME}): used even where the appliance would otherwise
     * leave them off by default. Only {@code udp_gso} can be forced.
     *
     * @throws IllegalArgumentException as {@link #parse}
     */
    public static Set<Offload> forced(String setting) {
        return parse(setting, true);
    }

    private static Set<Offload> parse(String setting, boolean forcedOnly) {
        String s = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("all")) {
            return forcedOnly ? EnumSet.noneOf(Offload.class) : EnumSet.allOf(Offload.class);
        }
        if (s.equals("none")) {
            return EnumSet.noneOf(Offload.class);
        }
        Set<Offload> on = null;
        Set<Offload> forced = EnumSet.noneOf(Offload.class);
        for (String item : s.split(",")) {
            String name = item.trim();
            boolean minus = name.startsWith("-");
            boolean plus = name.startsWith("+");
            if (minus || plus) {
                name = name.substring(1).trim();
            }
            Offload f = byLabel(name);
            if (f == null) {
                throw new IllegalArgumentException("no offload '" + name + "' (all, none, or a list of " + labels()
                        + ", each may be -NAME, and +udp_gso forces it)");
            }
            if (plus && f != UDP_GSO) {
                throw new IllegalArgumentException("'+" + name + "': only udp_gso can be forced (+udp_gso); the others are used wherever the kernel has them");
            }
            if (on == null) {
                on = minus || plus ? EnumSet.allOf(Offload.class) : EnumSet.noneOf(Offload.class);
            }
            if (minus) {
                on.remove(f);
                forced.remove(f);
            } else {
                on.add(f);
                if (plus) {
                    forced.add(f);
                }
            }
        }
        return forcedOnly ? forced : on;
    }

    private static Offload byLabel(String label) {
        for (Offload f : values()) {
            if (f.label.equals(label)) {
                return f;
            }
        }
        return null;
    }

    private static String labels() {
        StringBuilder b = new StringBuilder();
        for (Offload f : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(f.label);
        }
        return b.toString();
    }
}
