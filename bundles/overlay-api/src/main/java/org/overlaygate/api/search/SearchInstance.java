package org.overlaygate.api.search;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;
import org.overlaygate.api.UnderlayAddress;

/**
 * A search plugin's state for one overlay. Life cycle: created, {@link #restoreState} (when state
 * was saved before), {@link #start}, any number of lookups and reports, {@link #stop},
 * {@link #destroy}. varpd calls {@link #start}, {@link #stop} and {@link #saveState} outside of
 * anything the lookup path waits for, so a slow plugin delays only itself.
 */
@ConsumerType
public interface SearchInstance {

    /**
     * Begins serving: open connections, join groups, set flood targets. Failures of the network
     * should degrade the overlay through the context, not throw: an exception here is a refusal
     * (the overlay cannot be created, or stays DEGRADED with the message).
     */
    void start() throws Exception;

    /** Stops serving; outstanding lookups may be left unanswered (they are re-asked elsewhere). */
    void stop();

    /** Releases everything; the instance is not used again. */
    default void destroy() {
    }

    /**
     * The fixed destination of a {@link SearchMode#POINT} instance.
     *
     * @throws UnsupportedOperationException for dynamic instances
     */
    default UnderlayAddress pointDestination() {
        throw new UnsupportedOperationException("not a point-mode search instance");
    }

    /** How the core should keep this overlay's target cache; read once, after {@link #start}. */
    default TargetPolicy targetPolicy() {
        return TargetPolicy.LOOKUP_ONLY;
    }

    /**
     * Answers a miss, now or later, through {@code callback}. Must not block the calling thread for
     * long: do network I/O asynchronously.
     */
    default void lookup(LookupRequest request, LookupCallback callback) {
        callback.drop("unsupported");
    }

    /**
     * A frame arrived from {@code source} (its outer source address and port) with inner source
     * {@code mac}, which the cache does not hold there. Called only when {@link #targetPolicy()}
     * learns; a learning plugin typically calls {@link SearchContext#learnTarget} with the address
     * and the overlay's own port.
     */
    default void learned(long mac, UnderlayAddress source) {
    }

    /** True when this instance answers ARP/NDP by proxy through {@link #proxyAddress}. Read once, after {@link #start}. */
    default boolean proxiesAddresses() {
        return false;
    }

    /** Answers an ARP request or neighbour solicitation by proxy. */
    default void proxyAddress(AddressQuery query, AddressCallback callback) {
        callback.unknown();
    }

    /**
     * The instance's own counters and gauges, shown by {@code overlay:stats} beside the overlay's
     * events: lookups asked and answered, their latency, reconnects, whatever the plugin does that
     * the data path cannot see. Names are constants of letters, digits and '_' ({@code lookups},
     * {@code lookup_latency_p99_us}); values are counts since the instance started or current
     * readings. Called whenever an operator asks, from a shell thread: cheap, never blocking. Empty
     * by default.
     *
     * @since 2.1
     */
    default Map<String, Long> stats() {
        return Map.of();
    }

    /**
     * The same counts as {@link #stats()}, typed for metrics: what only grows as counters, readings
     * (connections up, requests waiting) as gauges, durations as histograms rather than as
     * percentiles. Metrics exports them per overlay ({@code overlaygate_search_katar_lookups_total{overlay="k1"}});
     * {@code null} (the default) when the instance measures nothing of its own. Read from any
     * thread, live; cheap and never blocking, like {@link #stats()}.
     *
     * @since 2.2
     */
    default org.overlaygate.api.Measurements measurements() {
        return null;
    }

    /**
     * True when this instance may name DHCP servers for clients to be proxied to
     * ({@link DhcpHint#proxyMac()}, illumos' {@code dhcp-proxy}): varpd then takes a VM's DHCP
     * broadcasts off the wire and sends each to the MAC {@link #dhcpHint} names, and drops it
     * (counted) when none is named. Read once, after {@link #start}, like {@link #proxiesAddresses}.
     * False by default.
     *
     * @since 2.3
     */
    default boolean proxiesDhcp() {
        return false;
    }

    /**
     * What the plugin knows about a DHCP client: its reserved address and the server to proxy to.
     * Completes on any thread; must not block the caller. {@link DhcpHint#NONE} by default.
     *
     * @param vlan the client's VLAN, or {@link LookupRequest#NO_VLAN}
     * @since 2.3
     */
    default java.util.concurrent.CompletionStage<DhcpHint> dhcpHint(long mac, int vlan) {
        return java.util.concurrent.CompletableFuture.completedFuture(DhcpHint.NONE);
    }

    /**
     * The overlay's invalidation plugin is about to remove {@code mac}'s cache entry: another host
     * said it is stale (a SHOOTDOWN), and the next frame to it is looked up again. A plugin whose
     * server may answer that lookup from a stale cache of its own can confirm the answer again
     * later. Called on the invalidation plugin's thread, before the entry goes: short, never
     * blocking. Nothing by default.
     *
     * @since 2.3
     */
    default void invalidated(long mac) {
    }

    /** State worth keeping across restarts (learned peers, a session cookie); empty by default. */
    default Map<String, String> saveState() {
        return Map.of();
    }

    /** Restores what {@link #saveState} returned, before {@link #start}. */
    default void restoreState(Map<String, String> state) {
    }
}
