package org.overlaygate.search.katar;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.SearchContext;

/** Records, in order, what a search instance asks of its overlay. Thread-safe. */
final class RecordingContext implements SearchContext {
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-varpd-timer");
        t.setDaemon(true);
        return t;
    });

    final long vnetId;
    volatile UnderlayAddress self;
    final List<String> calls = new CopyOnWriteArrayList<>();

    RecordingContext(long vnetId, String self) {
        this.vnetId = vnetId;
        this.self = UnderlayAddress.parse(self);
    }

    @Override
    public String overlayName() {
        return "ovl" + vnetId;
    }

    @Override
    public long vnetId() {
        return vnetId;
    }

    @Override
    public UnderlayAddress underlayAddress() {
        return self;
    }

    @Override
    public void degrade(String reason) {
        calls.add("degrade " + reason);
    }

    @Override
    public void restore() {
        calls.add("restore");
    }

    @Override
    public void invalidate(long mac) {
        calls.add("invalidate " + MacAddress.format(mac));
    }

    @Override
    public void flushTargets() {
        calls.add("flush");
    }

    @Override
    public void setTarget(long mac, UnderlayAddress destination) {
        calls.add("set " + MacAddress.format(mac) + " " + destination);
    }

    @Override
    public void learnTarget(long mac, UnderlayAddress destination) {
        calls.add("learn " + MacAddress.format(mac) + " " + destination);
    }

    @Override
    public void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast) {
        calls.add("flood " + destinations + (unknownUnicast ? " +unknown" : ""));
    }

    @Override
    public void joinGroup(InetAddress group, String interfaceName, int ttl) {
        calls.add("join " + group);
    }

    @Override
    public void announce(InetAddress ip, long mac) {
        calls.add("announce " + ip.getHostAddress() + " " + MacAddress.format(mac));
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return SCHEDULER;
    }

    /** Waits until some call satisfies {@code p}, and returns it. */
    String await(Predicate<String> p, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            for (String c : calls) {
                if (p.test(c)) {
                    return c;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within " + timeoutMs + " ms: " + what + "; calls: " + calls);
            }
            Thread.sleep(5);
        }
    }

    String await(String prefix, long timeoutMs) throws InterruptedException {
        return await(c -> c.startsWith(prefix), timeoutMs, "a call '" + prefix + "...'");
    }

    /** The last degrade or restore call, or null. */
    String lastHealth() {
        String last = null;
        for (String c : calls) {
            if (c.startsWith("degrade") || c.equals("restore")) {
                last = c;
            }
        }
        return last;
    }
}
