package org.overlaygate.varpd.overlay;

/**
 * Where one part of an overlay stands (its device, its search instance, its invalidation instance,
 * its VNICs), one value with its reason beside it, as Felix SCR keeps a component's state:
 *
 * <pre>
 *   UNSATISFIED --binding--> STARTING --started--> ACTIVE &lt;--report / restore--&gt; DEGRADED
 *        ^                       |                   |                             |
 *        |                       +------fails------> FAILED (tried again every 10 s)
 *        +------ what it needs went away (the data path, the plugin) --------------+
 * </pre>
 *
 * UNSATISFIED needs no reason of its own (what is missing is read from what is present when the
 * overlay's reasons are asked for); FAILED and DEGRADED carry theirs. Immutable.
 */
final class PartState {
    enum Kind {
        /** Not bound: what it needs is absent, or it was never tried. */
        UNSATISFIED,
        /** Being created and started (its plugin's code runs). */
        STARTING,
        /** Bound and working. */
        ACTIVE,
        /** Bound, but its plugin reports trouble through its context ("cannot reach any katar server"). */
        DEGRADED,
        /** Binding failed for a reason outside varpd's sight; tried again. */
        FAILED,
        /** The overlay does not use it (no invalidation plugin named). */
        UNUSED
    }

    static final PartState UNSATISFIED = new PartState(Kind.UNSATISFIED, null);
    static final PartState STARTING = new PartState(Kind.STARTING, null);
    static final PartState ACTIVE = new PartState(Kind.ACTIVE, null);
    static final PartState UNUSED = new PartState(Kind.UNUSED, null);

    final Kind kind;
    /** Why it failed or is degraded; null in the other states. */
    final String reason;

    private PartState(Kind kind, String reason) {
        this.kind = kind;
        this.reason = reason;
    }

    static PartState failed(String reason) {
        return new PartState(Kind.FAILED, reason);
    }

    static PartState degraded(String reason) {
        return new PartState(Kind.DEGRADED, reason);
    }

    /** Bound: active, or degraded by its own report. */
    boolean bound() {
        return kind == Kind.ACTIVE || kind == Kind.DEGRADED;
    }

    @Override
    public String toString() {
        return reason == null ? kind.toString() : kind + ": " + reason;
    }
}
