package org.overlaygate.search.multicast;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.TargetPolicy;

/**
 * One overlay's flood-and-learn: broadcast, multicast and unknown unicast go to the group and every
 * peer; a MAC seen behind an underlay address is learned there (with the overlay's own port, where
 * every peer of the overlay listens), moves when it shows up behind another, and ages out without
 * traffic, all kept by the data path. Nothing is looked up: there is no one to ask.
 */
final class MulticastSearch implements SearchInstance {
    private final SearchContext context;
    private final InetAddress group;
    private final List<InetAddress> peers;
    private final String interfaceName;
    private final int ttl;
    private final TargetPolicy policy;
    private volatile int port;

    MulticastSearch(SearchContext context, InetAddress group, List<InetAddress> peers, String interfaceName, int ttl, TargetPolicy policy) {
        this.context = context;
        this.group = group;
        this.peers = List.copyOf(peers);
        this.interfaceName = interfaceName;
        this.ttl = ttl;
        this.policy = policy;
    }

    /**
     * Joins the group and sets the flood targets.
     *
     * @throws IllegalStateException when the overlay's underlay address is not known yet (its
     *     encapsulation is not bound), or an address is of the other IP version
     * @throws IllegalArgumentException when the group cannot be joined, with the reason
     */
    @Override
    public void start() {
        UnderlayAddress self = context.underlayAddress();
        if (self == null) {
            throw new IllegalStateException("the overlay's underlay address is not known yet (its encapsulation is not bound)");
        }
        port = self.port();
        boolean v4 = self.address() instanceof Inet4Address;
        List<UnderlayAddress> targets = new ArrayList<>();
        if (group != null) {
            requireVersion(group, v4, "group");
            targets.add(UnderlayAddress.of(group, port));
        }
        for (InetAddress p : peers) {
            requireVersion(p, v4, "peer");
            if (!p.equals(self.address())) { // replicating to ourselves would only echo our own frames
                targets.add(UnderlayAddress.of(p, port));
            }
        }
        if (group != null) {
            context.joinGroup(group, interfaceName, ttl);
        }
        context.setFloodTargets(targets, true);
    }

    private static void requireVersion(InetAddress a, boolean v4, String what) {
        if ((a instanceof Inet4Address) != v4) {
            throw new IllegalStateException(what + " " + a.getHostAddress() + " is not of the IP version of the overlay's underlay address");
        }
    }

    /** The group stays joined and the flood targets stay set in the data path while the plugin is away. */
    @Override
    public void stop() {
    }

    @Override
    public TargetPolicy targetPolicy() {
        return policy;
    }

    @Override
    public void learned(long mac, UnderlayAddress source) {
        context.learnTarget(mac, UnderlayAddress.of(source.address(), port));
    }
}
