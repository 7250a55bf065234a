package org.overlaygate.api.search;

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
     * The destination is unknown or forbidden: frames to it are dropped for a while.
     *
     * @param reason a short constant reason ({@code not_found}), counted by the core; letters,
     *     digits and '_' only, at most 32 characters (anything else is counted as {@code other})
     */
    void drop(String reason);
}
