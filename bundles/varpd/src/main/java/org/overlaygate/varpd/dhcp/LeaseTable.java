package org.overlaygate.varpd.dhcp;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.overlaygate.api.MacAddress;

/**
 * The leases of one DHCP network, and the decisions of RFC 2131 that depend on them: which address
 * to offer, whether a requested one may be acknowledged, what a release and a decline free or set
 * aside. On an injected clock (wall-clock milliseconds, since leases outlive the process).
 *
 * <p>Each address has at most one entry, in one state: OFFERED (held for the client for
 * {@value #OFFER_HOLD_MS} ms), BOUND (until it expires), RELEASED or expired (free, but given to
 * its last client again first) and DECLINED (set aside for {@value #DECLINE_HOLD_MS} ms: something
 * else answers to it). The table is bounded by its range plus its reservations: one entry per
 * address. Thread-safe (one monitor; the DHCP thread and the shell use it).
 */
final class LeaseTable {
    static final long OFFER_HOLD_MS = 60_000;
    static final long DECLINE_HOLD_MS = 600_000;

    enum State { OFFERED, BOUND, RELEASED, DECLINED }

    /** One address's entry. Immutable; replaced on every change. */
    static final class Lease {
        final int address;
        final long mac;
        final State state;
        /** Wall-clock milliseconds: when an OFFERED, BOUND or DECLINED entry stops holding the address. */
        final long expires;

        Lease(int address, long mac, State state, long expires) {
            this.address = address;
            this.mac = mac;
            this.state = state;
            this.expires = expires;
        }

        /** Whether it holds its address at {@code now}. */
        boolean holds(long now) {
            return state != State.RELEASED && now < expires;
        }

        @Override
        public String toString() {
            return DhcpConfig.format(address) + " " + MacAddress.format(mac) + " " + state + " " + expires;
        }
    }

    /** What a REQUEST gets. */
    static final class Decision {
        final boolean ack;
        final int address;
        final String reason;

        private Decision(boolean ack, int address, String reason) {
            this.ack = ack;
            this.address = address;
            this.reason = reason;
        }

        static Decision ack(int address) {
            return new Decision(true, address, null);
        }

        static Decision nak(String reason) {
            return new Decision(false, 0, reason);
        }
    }

    private final Scope scope;
    private final LongSupplier clock;
    private final Map<Integer, Lease> byAddress = new HashMap<>();
    private final Map<Long, Integer> byMac = new HashMap<>();
    /** Offsets from the range's first address that were never given: taken before reusing another client's old address. */
    private final BitSet used = new BitSet();
    private boolean changed;

    LeaseTable(Scope scope, LongSupplier clock) {
        this.scope = scope;
        this.clock = clock;
    }

    Scope scope() {
        return scope;
    }

    /**
     * The address to offer {@code mac}: its reservation; else the address it holds or last held;
     * else the one it asks for (option 50) when free; else a never-used one of the range; else the
     * one left longest ago. 0 when the pool is exhausted or the reservation is taken.
     */
    synchronized int offer(long mac, int reserved, int requested) {
        long now = clock.getAsLong();
        int chosen = choose(mac, reserved, requested, now);
        if (chosen != 0) {
            Lease current = byAddress.get(chosen);
            if (current == null || current.state != State.BOUND || current.mac != mac || !current.holds(now)) {
                put(new Lease(chosen, mac, State.OFFERED, now + OFFER_HOLD_MS));
            }
        }
        return chosen;
    }

    private int choose(long mac, int reserved, int requested, long now) {
        if (reserved != 0) {
            return freeFor(reserved, mac, now) ? reserved : 0;
        }
        Integer previous = byMac.get(mac);
        if (previous != null && poolAddress(previous, mac) && freeFor(previous, mac, now)) {
            return previous;
        }
        if (requested != 0 && poolAddress(requested, mac) && freeFor(requested, mac, now)) {
            return requested;
        }
        long size = Integer.toUnsignedLong(scope.last - scope.first) + 1;
        for (int i = used.nextClearBit(0); i < size; i = used.nextClearBit(i + 1)) {
            int a = scope.first + i;
            if (poolAddress(a, mac) && !byAddress.containsKey(a)) {
                return a;
            }
            used.set(i); // not for the pool (the server's, a reservation's): never look at it again
        }
        return byAddress.values().stream().filter(l -> !l.holds(now) && poolAddress(l.address, mac))
                .min(Comparator.comparingLong((Lease l) -> l.state == State.RELEASED ? Long.MIN_VALUE : l.expires)
                        .thenComparingInt(l -> l.address))
                .map(l -> l.address).orElse(0);
    }

    /** An address of the range this client may have from the pool: assignable, not the router's, not reserved for another MAC. */
    private boolean poolAddress(int a, long mac) {
        if (!scope.inRange(a) || !scope.assignable(a) || a == scope.router) {
            return false;
        }
        long owner = scope.reservedFor(a);
        return owner == 0 || owner == mac;
    }

    private boolean freeFor(int a, long mac, long now) {
        Lease l = byAddress.get(a);
        return l == null || l.mac == mac && l.state != State.DECLINED || !l.holds(now);
    }

    /**
     * A REQUEST for {@code address} (option 50 or ciaddr): acknowledged when the address is the
     * client's reservation, or (without one) an address of the pool that nobody else holds;
     * otherwise refused with the reason.
     */
    synchronized Decision request(long mac, int reserved, int address) {
        long now = clock.getAsLong();
        if (address == 0) {
            return Decision.nak("no address requested");
        }
        if (!scope.contains(address)) {
            return Decision.nak(DhcpConfig.format(address) + " is not on this network");
        }
        if (reserved != 0 && address != reserved) {
            return Decision.nak(DhcpConfig.format(address) + " is not the address reserved for this client");
        }
        if (reserved == 0 && !poolAddress(address, mac)) {
            return Decision.nak(DhcpConfig.format(address) + " is not in the pool");
        }
        if (reserved != 0 && (!scope.assignable(address) || address == scope.router)) {
            return Decision.nak(DhcpConfig.format(address) + " cannot be given");
        }
        if (!freeFor(address, mac, now)) {
            return Decision.nak(DhcpConfig.format(address) + " is in use");
        }
        put(new Lease(address, mac, State.BOUND, now + scope.leaseSeconds * 1000));
        return Decision.ack(address);
    }

    /** The client gives its address back (RELEASE); whether it held it. */
    synchronized boolean release(long mac, int address) {
        Lease l = byAddress.get(address);
        if (l == null || l.mac != mac || l.state == State.DECLINED) {
            return false;
        }
        put(new Lease(address, mac, State.RELEASED, clock.getAsLong()));
        return true;
    }

    /** The client found {@code address} in use (DECLINE): it is set aside, given to nobody for a while. Whether it was this client's. */
    synchronized boolean decline(long mac, int address) {
        Lease l = byAddress.get(address);
        if (l == null || l.mac != mac) {
            return false;
        }
        put(new Lease(address, mac, State.DECLINED, clock.getAsLong() + DECLINE_HOLD_MS));
        return true;
    }

    /** A client chose another server's offer: ours is freed. */
    synchronized void withdrawOffer(long mac) {
        Integer a = byMac.get(mac);
        if (a != null) {
            Lease l = byAddress.get(a);
            if (l != null && l.state == State.OFFERED) {
                remove(l);
            }
        }
    }

    private void put(Lease l) {
        Lease before = byAddress.put(l.address, l);
        if (before != null && before.mac != l.mac) {
            byMac.remove(before.mac, before.address);
        }
        Integer old = byMac.put(l.mac, l.address);
        if (old != null && old != l.address) { // a client has one entry: its old address is free for the pool
            Lease oldLease = byAddress.get(old);
            if (oldLease != null && oldLease.mac == l.mac && oldLease.state != State.DECLINED) {
                byAddress.remove(old);
            }
        }
        if (scope.inRange(l.address)) {
            used.set(l.address - scope.first);
        }
        changed |= l.state != State.OFFERED || before != null && before.state != State.OFFERED;
    }

    /** Forgets an offer not taken up: its address counts as never given. */
    private void remove(Lease l) {
        byAddress.remove(l.address);
        byMac.remove(l.mac, l.address);
        if (scope.inRange(l.address)) {
            used.clear(l.address - scope.first);
        }
    }

    /** Whether a durable change was made since the last call (offers are not kept). */
    synchronized boolean takeChanged() {
        boolean c = changed;
        changed = false;
        return c;
    }

    /** Every entry, sorted by address. */
    synchronized List<Lease> leases() {
        List<Lease> out = new ArrayList<>(byAddress.values());
        out.sort(Comparator.comparingLong(l -> Integer.toUnsignedLong(l.address)));
        return out;
    }

    /** Restores kept entries (BOUND, RELEASED, DECLINED) of this network, skipping those that do not fit it any more. How many fitted. */
    synchronized int restore(List<Lease> kept) {
        int n = 0;
        for (Lease l : kept) {
            if (l.state != State.OFFERED && scope.contains(l.address) && scope.assignable(l.address) && !byAddress.containsKey(l.address)
                    && !byMac.containsKey(l.mac)) {
                put(l);
                n++;
            }
        }
        changed = false;
        return n;
    }

    int size() {
        synchronized (this) {
            return byAddress.size();
        }
    }
}
