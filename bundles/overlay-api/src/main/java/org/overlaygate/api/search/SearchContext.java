package org.overlaygate.api.search;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.UnderlayAddress;

/**
 * What varpd offers one search instance: the overlay it serves, and the few ways a plugin may act
 * on it outside of answering lookups. Thread-safe. Calls made after the instance was stopped are
 * ignored.
 */
@ProviderType
public interface SearchContext {

    /** The overlay's name ({@code ovl0}). */
    String overlayName();

    /** The overlay's vnet id. */
    long vnetId();

    /**
     * The overlay's own underlay address (and port, for UDP encapsulations): where this host
     * receives the overlay's packets. Learned destinations use its port, since peers of one
     * overlay listen on the same one; a mapping service may want the address to name this host.
     * {@code null} while the data path has not bound the overlay's encapsulation.
     */
    UnderlayAddress underlayAddress();

    /**
     * Marks the overlay DEGRADED with a reason shown by {@code overlay:show -f} ("cannot reach any
     * katar server at ..."); a second call replaces this instance's reason. Cached destinations keep
     * working.
     */
    void degrade(String reason);

    /** Clears the degradation this instance reported. */
    void restore();

    /** Forgets the cache entry of {@code mac}, so the next frame to it is looked up again. */
    void invalidate(long mac);

    /**
     * Forgets every cache entry of the overlay: the plugin's picture went out of date (a mapping
     * service dropped changes it should have told), so each destination is looked up afresh.
     *
     * @since 2.1
     */
    void flushTargets();

    /** Installs or replaces the cache entry of {@code mac} without waiting for a miss (origin LOOKUP). */
    void setTarget(long mac, UnderlayAddress destination);

    /** Installs or replaces a learned cache entry of {@code mac} (origin LEARNED: ages without traffic). */
    void learnTarget(long mac, UnderlayAddress destination);

    /**
     * Where broadcast and multicast frames go (a multicast group, the unicast peers of head-end
     * replication, or nowhere), and whether unicast to unknown MACs goes there too rather than
     * being looked up (flood-and-learn).
     */
    void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast);

    /**
     * Joins an underlay multicast group on an interface ({@code null}: the routing table's choice),
     * with the TTL for packets sent to groups; {@code null} group leaves.
     *
     * @throws IllegalArgumentException with the OS's reason when the group cannot be joined
     */
    void joinGroup(InetAddress group, String interfaceName, int ttl);

    /**
     * Tells the overlay's local VNICs that {@code ip} is at {@code mac}: a gratuitous ARP for IPv4,
     * an unsolicited neighbour advertisement for IPv6 (after a mapping moved).
     */
    void announce(InetAddress ip, long mac);

    /** A shared scheduler for timers; tasks must be short and must not block. */
    ScheduledExecutorService scheduler();
}
