package org.overlaygate.itests;

import java.nio.ByteBuffer;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;

/** What the traffic tests inside the framework share: the data path, and numbered frames. */
final class Traffic {
    /** The ethertype of {@link #frame}'s frames: IEEE 802's local experimental ethertype 1. */
    static final int ETHERTYPE = 0x88B5;

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

    /**
     * A frame numbered {@code seq} (big-endian at byte 14), with {@code payload} bytes after the
     * header, of the local experimental ethertype 0x88B5 (IEEE 802): every frame between two MACs
     * is then one flow for the data path's flow hash (MACs and ethertype), so it keeps one outer
     * source port and one receiving socket, and arrives in order. Typed IPv4, its numbered bytes
     * read as addresses made each frame a flow of its own, free to overtake another on another
     * receiving socket ({@code underlayQueues}), as different flows may.
     */
    static byte[] frame(long dst, long src, int seq, int payload) {
        byte[] f = new byte[14 + payload];
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = (byte) (ETHERTYPE >> 8);
        f[13] = (byte) ETHERTYPE;
        ByteBuffer.wrap(f).putInt(14, seq);
        for (int i = 18; i < f.length; i++) {
            f[i] = (byte) (i + seq);
        }
        return f;
    }

    /** Whether {@code f} is one of {@link #frame}'s (and not, say, a gratuitous ARP). */
    static boolean isNumberedFrame(byte[] f) {
        return f.length >= 18 && ((f[12] & 0xFF) << 8 | (f[13] & 0xFF)) == ETHERTYPE;
    }
}
