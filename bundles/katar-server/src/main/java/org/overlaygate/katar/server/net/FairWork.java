package org.overlaygate.katar.server.net;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The database lookups waiting for a worker, queued per owner (a client's source address) and
 * taken round robin: a client that floods waits behind its own requests, never another client's
 * behind all of its. A FIFO shared by every connection is how one client's 200,000 lookups made a
 * legitimate miss wait seconds.
 *
 * <p>Bounded: a lookup is refused when {@code capacity} are queued in all and its owner already
 * holds its share of them ({@code capacity} / owners queuing, at least one). An owner below its
 * share is admitted even then, so the total stays below twice the capacity and a flood from some
 * addresses never refuses the others.
 */
final class FairWork implements AutoCloseable {
    private final int capacity;
    private final Map<Object, ArrayDeque<Runnable>> queues = new HashMap<>();
    /** Owners with queued work, in the order their next lookup runs. */
    private final ArrayDeque<Object> turn = new ArrayDeque<>();
    private final Thread[] threads;
    private int queued;
    private boolean closed;
    /** Tasks that threw (a bug): counted, the thread goes on. */
    final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    FairWork(int threads, int capacity, String name) {
        this.capacity = capacity;
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, name + "-" + (i + 1));
            t.setDaemon(true);
            this.threads[i] = t;
            t.start();
        }
    }

    /** Queues {@code task} for {@code owner}; false (nothing queued) when refused or closed. */
    synchronized boolean offer(Object owner, Runnable task) {
        if (closed) {
            return false;
        }
        ArrayDeque<Runnable> q = queues.get(owner);
        int owners = queues.size() + (q == null ? 1 : 0);
        int share = Math.max(1, capacity / owners);
        int mine = q == null ? 0 : q.size();
        if (queued >= capacity && mine >= share) {
            return false;
        }
        if (q == null) {
            q = new ArrayDeque<>();
            queues.put(owner, q);
            turn.add(owner);
        }
        q.add(task);
        queued++;
        notify();
        return true;
    }

    /** Lookups waiting, all owners together. */
    synchronized int queued() {
        return queued;
    }

    private synchronized Runnable take() throws InterruptedException {
        while (!closed && turn.isEmpty()) {
            wait();
        }
        if (closed) {
            return null;
        }
        Object owner = turn.poll();
        ArrayDeque<Runnable> q = queues.get(owner);
        Runnable task = q.poll();
        queued--;
        if (q.isEmpty()) {
            queues.remove(owner);
        } else {
            turn.add(owner); // its next lookup after every other owner's
        }
        return task;
    }

    private void work() {
        try {
            Runnable task;
            while ((task = take()) != null) {
                try {
                    task.run(); // tasks catch what their lookups throw
                } catch (RuntimeException | LinkageError e) {
                    failures.incrementAndGet(); // a bug in a task must not cost a worker
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops what waits and stops the threads, waiting up to {@code millis} for running lookups. */
    void close(long millis) {
        synchronized (this) {
            closed = true;
            queues.clear();
            turn.clear();
            queued = 0;
            notifyAll();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : threads) {
            t.interrupt();
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                try {
                    t.join(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        close(2000);
    }
}
