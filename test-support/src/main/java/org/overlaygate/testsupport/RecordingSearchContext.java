package org.overlaygate.testsupport;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.SearchContext;

/**
 * A search plugin's overlay, for unit tests of search plugins: records, as lines, what an instance
 * asks of it ({@code set 02:08:20:00:00:01 10.0.0.2:4789}, {@code invalidate ...}, {@code flood [...]
 * +unknown}, {@code degrade REASON} ...). Its timer runs nothing by itself: the test runs the
 * periodic tasks with {@link #tick()}, so every step is deterministic. Call {@link #shutdown()} after.
 */
public final class RecordingSearchContext implements SearchContext {
    /** The overlay's own underlay address, as {@link #underlayAddress()} gives it; {@code null}: not bound. */
    public UnderlayAddress self = UnderlayAddress.parse("10.0.0.1:6081");
    public final List<String> calls = new ArrayList<>();
    private final List<Runnable> periodic = new ArrayList<>();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "recording-search-context");
        t.setDaemon(true); // a test that forgets shutdown() does not keep the JVM alive
        return t;
    }) {
        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
            periodic.add(task);
            ScheduledFuture<?> never = super.schedule(() -> { }, 1, TimeUnit.DAYS);
            return new DelegatingFuture(never, () -> periodic.remove(task));
        }
    };

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
        return "ovl0";
    }

    @Override
    public long vnetId() {
        return 42;
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
