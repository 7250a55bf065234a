package org.overlaygate.core.underlay;

/**
 * The range UDP source ports are taken from, and how many sending sockets share it. RFC 7348
 * recommends 49152-65535 and a source port derived from a hash of the inner flow, so that ECMP
 * routers spread flows. A plain socket bound to 4789 would send everything from 4789, so sending
 * goes through a pool of sockets bound to ports spread over the range, chosen by flow hash: every
 * flow keeps one source port, and {@code poolSize} distinct ports carry the entropy.
 */
public final class SourcePorts {
    final int min;
    final int max;
    final int poolSize;

    public SourcePorts(int min, int max, int poolSize) {
        if (min < 1024 || max > 65535 || min > max) {
            throw new IllegalArgumentException("source port range " + min + "-" + max + " must lie within 1024-65535");
        }
        if (poolSize < 1 || poolSize > max - min + 1 || poolSize > 1024) {
            throw new IllegalArgumentException("source port pool of " + poolSize + " does not fit " + min + "-" + max + " (1-1024)");
        }
        this.min = min;
        this.max = max;
        this.poolSize = poolSize;
    }

    int range() {
        return max - min + 1;
    }

    /**
     * The port pool socket {@code slot} tries on its {@code probe}-th attempt: the pool spreads
     * evenly over the range from a start offset (probe 0), and a slot whose port is taken walks on
     * from there one port at a time, so that {@link #range()} probes visit every port of the range
     * once. (Stepping by the spread instead would revisit the pool's own few ports: one socket of
     * another process on one of them would leave no free port.)
     */
    int candidate(int start, int slot, int probe) {
        long step = Math.max(1, range() / poolSize);
        return min + (int) ((start + (long) slot * step + probe) % range());
    }

    @Override
    public String toString() {
        return min + "-" + max + " (" + poolSize + " sockets)";
    }
}
