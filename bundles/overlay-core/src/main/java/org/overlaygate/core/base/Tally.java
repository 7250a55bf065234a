package org.overlaygate.core.base;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts by name, written by any thread without a lock. Names are constants (string literals, or
 * interned through {@link DropReasons#fromPlugin}), so counting an existing name finds its adder
 * without allocating; a name's adder is made on its first use.
 */
public final class Tally {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void increment(String name) {
        adder(name).increment();
    }

    public void add(String name, long n) {
        adder(name).add(n);
    }

    private LongAdder adder(String name) {
        LongAdder adder = counts.get(name);
        return adder != null ? adder : counts.computeIfAbsent(name, r -> new LongAdder());
    }

    public long get(String name) {
        LongAdder adder = counts.get(name);
        return adder == null ? 0 : adder.sum();
    }

    /** Every count so far, sorted by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((name, adder) -> out.put(name, adder.sum()));
        return out;
    }
}
