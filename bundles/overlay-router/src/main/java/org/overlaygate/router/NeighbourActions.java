package org.overlaygate.router;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import org.overlaygate.api.MacAddress;

/**
 * What a port's neighbour table asks for, done: the overlay's search plugin asked through
 * {@link Router#resolver}, ARP requests and neighbour solicitations sent from the port's address,
 * held packets sent or answered with host unreachable.
 */
final class NeighbourActions implements NeighbourTable.Actions {
    private final RouterPort port;

    NeighbourActions(RouterPort port) {
        this.port = port;
    }

    @Override
    public boolean lookup(Neighbour n) {
        Router.Resolver r = port.router.resolver;
        if (r == null || port.link == null || port.isUplink()) { // the uplink has no search plugin: ARP it is
            return false;
        }
        CompletionStage<OptionalLong> answer;
        try {
            answer = r.macOf(port.overlay, n.hi, n.lo);
        } catch (RuntimeException e) { // no such overlay in varpd (yet): ARP it is
            return false;
        }
        if (answer == null) { // varpd is away
            return false;
        }
        answer.whenComplete((mac, failure) -> {
            if (mac != null && mac.isPresent() && mac.getAsLong() != 0) {
                port.router.counters.increment(RouterCounters.I_NEIGHBOUR_FROM_LOOKUP);
                port.neighbours.confirm(n.hi, n.lo, mac.getAsLong(), "lookup");
            } else {
                port.neighbours.lookupEmpty(n);
            }
        });
        return true;
    }

    @Override
    public void probe(Neighbour n) {
        PortLink a = port.link;
        if (a == null) {
            return;
        }
        ByteBuffer b = Scratch.enter();
        if (b == null) {
            return;
        }
        try {
            int length;
            if (Ip.isV4(n.hi, n.lo)) {
                int from = port.v4From(n.lo);
                if (from == 0) {
                    return;
                }
                long ethDst = n.state == Neighbour.State.PROBE && n.mac != 0 ? n.mac : MacAddress.BROADCAST;
                length = Packets.arp(b, Scratch.OFFSET, 1, ethDst, port.mac, from, 0, (int) n.lo);
            } else {
                Prefix from = port.v6From(n.hi, n.lo);
                long srcHi = from == null ? port.linkLocalHi : from.hi;
                long srcLo = from == null ? port.linkLocalLo : from.lo;
                length = Packets.neighbourSolicitation(b, Scratch.OFFSET, port.mac, srcHi, srcLo, n.hi, n.lo);
            }
            a.sendInPlace(b, Scratch.OFFSET, length);
            port.router.counters.increment(RouterCounters.I_NEIGHBOUR_PROBES);
        } finally {
            Scratch.leave();
        }
    }

    @Override
    public void release(Neighbour n, List<Neighbour.Held> held) {
        PortLink a = port.link;
        for (Neighbour.Held h : held) {
            if (a == null) {
                port.router.counters.increment(RouterCounters.I_EGRESS_DETACHED);
                continue;
            }
            MacAddress.write(h.frame, 0, n.mac);
            a.send(h.frame);
            port.router.counters.increment(RouterCounters.I_ROUTED);
        }
    }

    @Override
    public void unreachable(Neighbour n, List<Neighbour.Held> held) {
        for (Neighbour.Held h : held) {
            port.router.counters.increment(RouterCounters.I_NEIGHBOUR_UNREACHABLE);
            port.router.hostUnreachable(h);
        }
    }
}
