package org.overlaygate.api.search;

import java.time.Duration;
import java.util.Objects;

/**
 * How the core keeps the target cache of an overlay served by a search instance: whether it reports
 * source addresses to learn from, how long entries live without being confirmed, and how many
 * learned entries it keeps. Declared by the instance ({@link SearchInstance#targetPolicy()}) and
 * kept by the device while the plugin is away. Immutable.
 *
 * <p>Ageing follows the origin of an entry. A <em>learned</em> entry is confirmed by every frame
 * that arrives from its MAC at its address; once none has for the lifetime, it is removed (Linux's
 * bridge and VXLAN fdb ageing, 300 s by default). An entry the plugin <em>looked up</em> is asked
 * about again once the lifetime has passed, if frames still use it, while they keep flowing to the
 * destination it has; an unused one is removed. Entries set by the operator never age.
 */
public final class TargetPolicy {
    /** Looked-up entries that never age, nothing learned: for plugins with their own invalidation. */
    public static final TargetPolicy LOOKUP_ONLY = new TargetPolicy(false, Duration.ZERO, 0);

    private final boolean learns;
    private final Duration lifetime;
    private final int maxLearned;

    private TargetPolicy(boolean learns, Duration lifetime, int maxLearned) {
        this.learns = learns;
        this.lifetime = Objects.requireNonNull(lifetime);
        this.maxLearned = maxLearned;
    }

    /**
     * Looked-up entries confirmed again after {@code lifetime} ({@link Duration#ZERO}: never).
     */
    public static TargetPolicy lookup(Duration lifetime) {
        requireNotNegative(lifetime);
        return new TargetPolicy(false, lifetime, 0);
    }

    /**
     * Learning: the core reports sources it does not know, learned entries age out after
     * {@code ageing} without a frame from them, and at most {@code maxLearned} are kept (further
     * sources are not reported until older entries age out; counted as {@code learn_limited}).
     */
    public static TargetPolicy learning(Duration ageing, int maxLearned) {
        requireNotNegative(ageing);
        if (maxLearned < 1) {
            throw new IllegalArgumentException("maxLearned must be at least 1");
        }
        return new TargetPolicy(true, ageing, maxLearned);
    }

    private static void requireNotNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative lifetime " + d);
        }
    }

    /** Whether the core reports unknown sources ({@link SearchInstance#learned}). */
    public boolean learns() {
        return learns;
    }

    /** How long an entry lives unconfirmed; zero means for ever. */
    public Duration lifetime() {
        return lifetime;
    }

    /** The bound on learned entries; 0 when nothing is learned. */
    public int maxLearned() {
        return maxLearned;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TargetPolicy)) {
            return false;
        }
        TargetPolicy p = (TargetPolicy) o;
        return learns == p.learns && lifetime.equals(p.lifetime) && maxLearned == p.maxLearned;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learns, lifetime, maxLearned);
    }

    @Override
    public String toString() {
        return learns ? "learning (ageing " + lifetime.toSeconds() + " s, at most " + maxLearned + ")"
                : "lookup (" + (lifetime.isZero() ? "no ageing" : "lifetime " + lifetime.toSeconds() + " s") + ")";
    }
}
