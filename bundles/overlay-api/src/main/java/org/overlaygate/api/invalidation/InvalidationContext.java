package org.overlaygate.api.invalidation;

import org.osgi.annotation.versioning.ProviderType;

/** What the core offers one invalidation instance. Thread-safe. */
@ProviderType
public interface InvalidationContext {

    /** The overlay's name. */
    String overlayName();

    /** The overlay's vnet id. */
    long vnetId();

    /** A remote host says {@code mac} is no longer where this overlay's cache thinks: forget it. */
    void invalidated(long mac);
}
