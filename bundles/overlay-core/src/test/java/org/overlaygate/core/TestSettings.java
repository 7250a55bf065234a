package org.overlaygate.core;

import java.lang.annotation.Annotation;

/** {@link CoreSettings} with the defaults, overridable field by field in tests. */
public class TestSettings implements CoreSettings {
    public int sourcePortMin = 49152;
    public int sourcePortMax = 65535;
    public int sourcePortPool = 8;
    public int missQueue = 4096;
    public long pendingBytesTotal = 16L * 1024 * 1024;
    public int dropLifetimeMillis = 5000;
    public int missRetryMillis = 2000;
    public String offloads = "";
    public int busyPollMicros = -1;
    public int tapQueues = 0;

    @Override
    public Class<? extends Annotation> annotationType() {
        return CoreSettings.class;
    }

    @Override
    public int sourcePortMin() {
        return sourcePortMin;
    }

    @Override
    public int sourcePortMax() {
        return sourcePortMax;
    }

    @Override
    public int sourcePortPool() {
        return sourcePortPool;
    }

    @Override
    public int socketBufferBytes() {
        return 1 << 20;
    }

    @Override
    public int missQueue() {
        return missQueue;
    }

    @Override
    public long pendingBytesTotal() {
        return pendingBytesTotal;
    }

    @Override
    public int dropLifetimeMillis() {
        return dropLifetimeMillis;
    }

    @Override
    public int missRetryMillis() {
        return missRetryMillis;
    }

    @Override
    public int memoryPortQueue() {
        return 1024;
    }

    @Override
    public String offloads() {
        return offloads;
    }

    @Override
    public int busyPollMicros() {
        return busyPollMicros;
    }

    @Override
    public int tapQueues() {
        return tapQueues;
    }

    @Override
    public int underlayQueues() {
        return 0;
    }

    @Override
    public int threadSliceMicros() {
        return 0;
    }

    @Override
    public String threadNice() {
        return "inherit";
    }

    @Override
    public int realtimePriority() {
        return 0;
    }
}
