package org.overlaygate.core.os;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The per-packet libpcap calls, bound with JNA direct mapping (primitive arguments, no allocation):
 * pcap4j opens and configures the handle, but its packet calls copy every frame into a new
 * {@code byte[]} (and its send takes one), which the data path cannot afford. The handle is the
 * {@code pcap_t*} that pcap4j opened, as a {@code long}. The library is the one pcap4j loads
 * (system property {@code org.pcap4j.core.pcapLibName}, default {@code pcap}; JNA finds the
 * versioned {@code libpcap.so.0.8} without a development symlink).
 */
final class PcapNative {
    static {
        Native.register(PcapNative.class, NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
    }

    /** Offset of {@code caplen} in {@code struct pcap_pkthdr} on LP64 (after a 16-byte timeval); {@code len} follows. */
    static final int PKTHDR_CAPLEN = 16;

    private PcapNative() {
    }

    /** 1: a packet (*header and *data set), 0: none available (non-blocking), negative: error. */
    static native int pcap_next_ex(long pcap, long headerOut, long dataOut);

    /** 0 on success, -1 on error (errno set by the failed send(2)). */
    static native int pcap_sendpacket(long pcap, long buf, int size);

    static native int pcap_get_selectable_fd(long pcap);

    /** const char*: read only after a failure, on the reading thread. */
    static native long pcap_geterr(long pcap);
}
