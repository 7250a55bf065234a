package org.overlaygate.core.device;

import java.util.concurrent.atomic.AtomicLong;

/** The global bound on bytes of frames waiting on PENDING entries, across all devices. */
public final class PendingBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public PendingBudget(long limit) {
        this.limit = limit;
    }

    boolean reserve(int bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(int bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
