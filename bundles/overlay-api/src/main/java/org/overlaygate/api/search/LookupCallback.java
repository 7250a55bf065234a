package org.overlaygate.api.search;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.UnderlayAddress;

/**
 * How a search plugin answers one {@link LookupRequest}. Call exactly one method, exactly once,
 * from any thread; later calls are ignored.
 */
@ProviderType
public interface LookupCallback {

    /** The destination lives at {@code destination}: the cache entry becomes VALID. */
    void respond(UnderlayAddress destination);

    /**
     * For group destinations: send copies to every address in {@code destinations} (head-end
     * replication, or a single multicast group). An empty list means "deliver locally only".
     */
    void respondAll(List<UnderlayAddress> destinations);

    /**
     * The destination is unknown or forbidden: frames to it are dropped for a while.
     *
     * @param reason a short constant reason, counted by the core ({@code not_found})
     */
    void drop(String reason);
}
