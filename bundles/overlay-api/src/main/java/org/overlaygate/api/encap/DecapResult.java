package org.overlaygate.api.encap;

/**
 * The outcome of {@link Decapsulator#decapsulate}: a vnet id, or a drop reason. Owned and reused
 * by one data-path thread, so decapsulating allocates nothing.
 */
public final class DecapResult {
    private long vnetId;
    private String dropReason;

    /** Records success. Returns {@code true} so a decapsulator can {@code return result.accept(id)}. */
    public boolean accept(long vnetId) {
        this.vnetId = vnetId;
        this.dropReason = null;
        return true;
    }

    /**
     * Records a refusal. The reason must be a constant (a string literal), because the core counts
     * drops by reason and must not allocate per packet.
     *
     * @return {@code false}, so a decapsulator can {@code return result.drop("bad_flags")}
     */
    public boolean drop(String reason) {
        this.dropReason = reason;
        this.vnetId = -1;
        return false;
    }

    /**
     * Records a refusal of a packet whose header was read far enough to name its vnet id (a Geneve
     * header with a critical option, say): the core counts the drop on the overlay of that vnet id
     * when the socket has one, and on the socket otherwise. A header not understood at all (too
     * short, an unknown version) has no trustworthy vnet id: use {@link #drop(String)}.
     *
     * @param reason a constant, as for {@link #drop(String)}
     * @param vnetId the vnet id the header names (0 or more)
     * @return {@code false}
     * @since 2.2
     */
    public boolean drop(String reason, long vnetId) {
        this.dropReason = reason;
        this.vnetId = vnetId;
        return false;
    }

    /**
     * The vnet id of an accepted packet; of a refused one, the vnet id its header named
     * ({@link #drop(String, long)}), or -1 when it named none.
     */
    public long vnetId() {
        return vnetId;
    }

    /** Why the packet was refused, or {@code null} when it was accepted. */
    public String dropReason() {
        return dropReason;
    }
}
