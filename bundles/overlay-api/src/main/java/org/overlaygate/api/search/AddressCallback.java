package org.overlaygate.api.search;

import org.osgi.annotation.versioning.ProviderType;

/** How a search plugin answers an {@link AddressQuery}: exactly once, from any thread. */
@ProviderType
public interface AddressCallback {

    /** The target address belongs to {@code mac}: varpd sends the ARP reply or neighbour advertisement. */
    void answer(long mac);

    /** Not known: the request is dropped (and counted); the asker will try again. */
    void unknown();
}
