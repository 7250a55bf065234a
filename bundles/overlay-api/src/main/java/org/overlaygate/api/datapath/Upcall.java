package org.overlaygate.api.datapath;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Something the data path asks of, or tells, the lookup side (varpd) about one overlay device, off
 * the data path: the illumos overlay driver's LOOKUP and PKT messages in one channel. varpd takes
 * upcalls with {@link DataPath#takeUpcall} and handles each by its {@link #kind()}; the concrete
 * types are {@link MissRequest}, {@link LearnedSource}, {@link NotHere} and {@link AddressRequest}.
 *
 * <p>Every device's upcalls are bounded (a share of the data path's queue) and the frequent kinds
 * are rate-limited; an upcall that does not fit is dropped and counted in the device's statistics
 * ({@code upcall_dropped_*}), never waited for.
 */
@ProviderType
public interface Upcall {

    /** What an upcall is about. */
    enum Kind {
        /** A target cache miss to answer: {@link MissRequest}. */
        MISS,
        /** A source address seen behind an underlay address the cache does not hold: {@link LearnedSource}. */
        LEARNED,
        /** A unicast frame arrived for a MAC that is not on this host: {@link NotHere}. */
        NOT_HERE,
        /** An ARP request or neighbour solicitation from a local VNIC, to answer by proxy: {@link AddressRequest}. */
        ADDRESS_REQUEST
    }

    Kind kind();

    /** The overlay device it concerns. */
    String deviceName();

    /** That device's vnet id. */
    long vnetId();
}
