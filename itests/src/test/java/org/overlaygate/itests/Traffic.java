package org.overlaygate.itests;

import java.nio.ByteBuffer;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;

/** What the traffic tests inside the framework share: the data path, and numbered frames. */
final class Traffic {
    private Traffic() {
    }

    /** The DataPath service, waited for up to 10 s. */
    static DataPath dataPath(BundleContext context) throws InterruptedException {
        ServiceTracker<DataPath, DataPath> t = new ServiceTracker<>(context, DataPath.class, null);
        t.open();
        try {
            DataPath dp = t.waitForService(10_000);
            if (dp == null) {
                throw new AssertionError("no DataPath service");
            }
            return dp;
        } finally {
            t.close();
        }
    }

    /** An IPv4-typed frame numbered {@code seq} (big-endian at byte 14), with {@code payload} bytes after the header. */
    static byte[] frame(long dst, long src, int seq, int payload) {
        byte[] f = new byte[14 + payload];
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = 0x08;
        ByteBuffer.wrap(f).putInt(14, seq);
        for (int i = 18; i < f.length; i++) {
            f[i] = (byte) (i + seq);
        }
        return f;
    }
}
