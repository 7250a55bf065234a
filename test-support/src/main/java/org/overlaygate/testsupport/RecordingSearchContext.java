package org.overlaygate.testsupport;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.SearchContext;

/**
 * A search plugin's overlay, for unit tests of search plugins: records, as lines, what an instance
 * asks of it ({@code set 02:08:20:00:00:01 10.0.0.2:4789}, {@code invalidate ...}, {@code flood [...]
 * +unknown}, {@code degrade REASON} ...). Thread-safe. By default its timer runs no periodic task by
 * itself: the test runs them with {@link #tick()}, so every step is deterministic. A plugin whose
 * tests talk to a real server over real time takes {@link #withRunningTimer} instead, and waits
 * for calls with {@link #await}. Call {@link #shutdown()} after.
 */
public final class RecordingSearchContext implements SearchContext {
    /** The overlay's own underlay address, as {@link #underlayAddress()} gives it; {@code null}: not bound. */
    public volatile UnderlayAddress self;
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final long vnetId;
    private final boolean manualPeriodic;
    private final List<Runnable> periodic = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor timer;

    /** Vnet 42 at 10.0.0.1:6081, periodic tasks run by {@link #tick()}. */
    public RecordingSearchContext() {
        this(42, "10.0.0.1:6081", true);
    }

    private RecordingSearchContext(long vnetId, String self, boolean manualPeriodic) {
        this.vnetId = vnetId;
        this.self = UnderlayAddress.parse(self);
        this.manualPeriodic = manualPeriodic;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "recording-search-context");
            t.setDaemon(true); // a test that forgets shutdown() does not keep the JVM alive
            return t;
        }) {
            @Override
            public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
                if (!RecordingSearchContext.this.manualPeriodic) {
                    return super.scheduleWithFixedDelay(task, initialDelay, delay, unit);
                }
                periodic.add(task);
                ScheduledFuture<?> never = super.schedule(() -> { }, 1, TimeUnit.DAYS);
                return new DelegatingFuture(never, () -> periodic.remove(task));
            }
        };
    }

    /** An overlay of {@code vnetId} at {@code self} whose timer runs every task on time, as varpd's does. */
    public static RecordingSearchContext withRunningTimer(long vnetId, String self) {
        return new RecordingSearchContext(vnetId, self, false);
    }

    /** Runs every periodic task once, as the timer would after its delay. */
    public void tick() {
        new ArrayList<>(periodic).forEach(Runnable::run);
    }

    /** How many periodic tasks are scheduled and not cancelled. */
    public int periodicTasks() {
        return periodic.size();
    }

    /** The calls recorded since the last time, and forgets them. */
    public List<String> take() {
        List<String> out = new ArrayList<>(calls);
        calls.clear();
        return out;
    }

    public void shutdown() {
        timer.shutdownNow();
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
        calls.add("join " + (group == null ? null : group.getHostAddress()) + " " + interfaceName + " ttl " + ttl);
    }

    @Override
    public void announce(InetAddress ip, long mac) {
        calls.add("announce " + ip.getHostAddress() + " " + MacAddress.format(mac));
    }

    @Override
    public ScheduledThreadPoolExecutor scheduler() {
        return timer;
    }

    /** Waits until some call satisfies {@code p}, and returns it. */
    public String await(Predicate<String> p, long timeoutMs, String what) throws InterruptedException {
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

    /** Waits until a call begins with {@code prefix}, and returns it. */
    public String await(String prefix, long timeoutMs) throws InterruptedException {
        return await(c -> c.startsWith(prefix), timeoutMs, "a call '" + prefix + "...'");
    }

    /** The last degrade or restore call, or null. */
    public String lastHealth() {
        String last = null;
        for (String c : calls) {
            if (c.startsWith("degrade") || c.equals("restore")) {
                last = c;
            }
        }
        return last;
    }

    /** A future whose cancellation also unschedules the recorded task. */
    private static final class DelegatingFuture implements ScheduledFuture<Object> {
        private final ScheduledFuture<?> delegate;
        private final Runnable onCancel;

        DelegatingFuture(ScheduledFuture<?> delegate, Runnable onCancel) {
            this.delegate = delegate;
            this.onCancel = onCancel;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return delegate.getDelay(unit);
        }

        @Override
        public int compareTo(java.util.concurrent.Delayed o) {
            return delegate.compareTo(o);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            onCancel.run();
            return delegate.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return delegate.isCancelled();
        }

        @Override
        public boolean isDone() {
            return delegate.isDone();
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }
}
