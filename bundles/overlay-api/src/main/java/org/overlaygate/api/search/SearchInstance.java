package org.overlaygate.api.search;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;
import org.overlaygate.api.UnderlayAddress;

/**
 * A search plugin's state for one overlay. Life cycle: created, {@link #restoreState} (when state
 * was saved before), {@link #start}, any number of lookups, {@link #stop}, {@link #destroy}.
 */
@ConsumerType
public interface SearchInstance {

    /** Begins serving: open connections, join groups. Failures here should degrade, not throw. */
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

    /**
     * Answers a miss, now or later, through {@code callback}. Must not block the calling thread for
     * long: do network I/O asynchronously.
     */
    default void lookup(LookupRequest request, LookupCallback callback) {
        callback.drop("unsupported");
    }

    /** True when this instance answers ARP/NDP by proxy through {@link #proxyAddress}. */
    default boolean proxiesAddresses() {
        return false;
    }

    /** Answers an ARP request or neighbour solicitation by proxy. */
    default void proxyAddress(AddressQuery query, AddressCallback callback) {
        callback.unknown();
    }

    /** State worth keeping across restarts (learned peers, a session cookie); empty by default. */
    default Map<String, String> saveState() {
        return Map.of();
    }

    /** Restores what {@link #saveState} returned, before {@link #start}. */
    default void restoreState(Map<String, String> state) {
    }
}
