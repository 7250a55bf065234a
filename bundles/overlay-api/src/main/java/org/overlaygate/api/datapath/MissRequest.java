package org.overlaygate.api.datapath;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.LookupRequest;

/**
 * A target cache miss waiting for an answer. Answer through the {@link LookupCallback} methods,
 * once; a request the core issued again after a timeout, or one whose entry was meanwhile removed,
 * ignores late answers.
 */
@ProviderType
public interface MissRequest extends Upcall, LookupCallback {

    LookupRequest request();

    /**
     * True when the entry is VALID and in use but its lifetime ran out: frames keep going to the
     * destination it has while this request asks whether it still holds.
     */
    boolean isRefresh();
}
