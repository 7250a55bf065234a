package org.overlaygate.router;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.PortHandler;

/**
 * One interface of a router: its overlay (or, for the uplink, its host interface), MAC and
 * addresses, its neighbours, and, while it is up, the {@link PortLink} that joins it to its
 * network (the {@link AttachedPort} on the overlay's device, or the host link). Frames the network
 * delivers go to the {@link Router} that owns the port.
 */
final class RouterPort implements PortHandler {
    final Router router;
    final RouterDefinition.PortDefinition definition;
    final String overlay;
    final long mac;
    /** IPv4 addresses with their prefixes, in the order given. */
    final Prefix[] v4;
    /** Global IPv6 addresses with their prefixes. */
    final Prefix[] v6;
    /** fe80::/64 from the MAC: the source of router advertisements. */
    final long linkLocalHi;
    final long linkLocalLo;
    final NeighbourTable neighbours;
    /** What joins the port to its network; {@code null} while it is down. */
    volatile PortLink link;
    /** Why the port is not attached, or {@code null} when it is. */
    volatile String fault = "not attached yet";
    long lastAttempt;

    RouterPort(Router router, RouterDefinition.PortDefinition definition) {
        this.router = router;
        this.definition = definition;
        this.overlay = definition.overlay;
        this.mac = definition.mac;
        List<Prefix> four = new ArrayList<>();
        List<Prefix> six = new ArrayList<>();
        for (Prefix p : definition.addresses) {
            (p.isV4() ? four : six).add(p);
        }
        this.v4 = four.toArray(new Prefix[0]);
        this.v6 = six.toArray(new Prefix[0]);
        long[] ll = Ip.linkLocal(mac);
        this.linkLocalHi = ll[0];
        this.linkLocalLo = ll[1];
        this.neighbours = new NeighbourTable(router.clock, new NeighbourActions(this));
    }

    @Override
    public void receive(ByteBuffer buf, int offset, int length) {
        router.input(this, buf, offset, length);
    }

    @Override
    public boolean receiveGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
        return router.inputGroup(this, buf, offset, length);
    }

    /**
     * A frame read from the uplink's host interface: everything the interface sees (an attached
     * interface is promiscuous), so only what is for the port's MAC, or a group, is the router's.
     */
    void fromHost(ByteBuffer buf, int offset, int length) {
        if (length < 14) {
            return;
        }
        if ((buf.get(offset) & 1) != 0) {
            router.inputGroup(this, buf, offset, length);
        } else if (MacAddress.read(buf, offset) == mac) {
            router.input(this, buf, offset, length);
        }
    }

    boolean isUplink() {
        return definition.isUplink();
    }

    /** Whether a neighbour at this address may talk to the port: it is in one of the port's subnets (or link-local, for IPv6). */
    boolean onLink(long hi, long lo) {
        if (Ip.isV4(hi, lo)) {
            for (Prefix p : v4) {
                if (p.contains(hi, lo)) {
                    return true;
                }
            }
            return false;
        }
        if (Martians.v6LinkLocal(hi)) {
            return true;
        }
        for (Prefix p : v6) {
            if (p.contains(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the address is one of this port's (the link-local one included). */
    boolean owns(long hi, long lo) {
        if (hi == linkLocalHi && lo == linkLocalLo) {
            return true;
        }
        for (Prefix p : Ip.isV4(hi, lo) ? v4 : v6) {
            if (p.hi == hi && p.lo == lo) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 address to speak from to {@code lo}: the one whose subnet contains it, else the first; 0 when the port has none. */
    int v4From(long lo) {
        for (Prefix p : v4) {
            if (p.contains(0, lo)) {
                return (int) p.lo;
            }
        }
        return v4.length == 0 ? 0 : (int) v4[0].lo;
    }

    /** The IPv6 address to speak from to (hi, lo): link-local to link-local, else the global one on its subnet, else the first. */
    Prefix v6From(long hi, long lo) {
        if (!Martians.v6LinkLocal(hi)) {
            for (Prefix p : v6) {
                if (p.contains(hi, lo)) {
                    return p;
                }
            }
            if (v6.length > 0) {
                return v6[0];
            }
        }
        return null;
    }

    /** The egress MTU: the overlay's or the host interface's, 0 while down. */
    int mtu() {
        PortLink l = link;
        return l == null ? 0 : l.mtu();
    }

    /** Detaches from the overlay (closes the host link) and forgets the neighbours. */
    void detach(String why) {
        PortLink a = link;
        link = null;
        fault = why;
        if (a != null) {
            a.close();
        }
        neighbours.clear();
    }

    String name() {
        return router.name + "." + overlay;
    }
}
