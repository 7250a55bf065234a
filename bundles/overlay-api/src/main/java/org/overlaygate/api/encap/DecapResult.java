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

    /** The vnet id of an accepted packet. */
    public long vnetId() {
        return vnetId;
    }

    /** Why the packet was refused, or {@code null} when it was accepted. */
    public String dropReason() {
        return dropReason;
    }
}
