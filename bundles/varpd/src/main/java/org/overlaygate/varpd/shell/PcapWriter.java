package org.overlaygate.varpd.shell;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.overlaygate.api.datapath.SnoopedFrame;

/**
 * Writes frames in the classic pcap file format (nanosecond-resolution variant, magic
 * 0xa1b23c4d, link type 1 = Ethernet), which tcpdump, tshark and Wireshark read.
 */
final class PcapWriter implements AutoCloseable {
    static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 65535;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);

    private PcapWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes the file header to {@code out}, which the writer then owns. */
    static PcapWriter create(OutputStream out) throws IOException {
        PcapWriter w = new PcapWriter(new BufferedOutputStream(out));
        w.header.clear();
        w.header.putInt(MAGIC_NANOSECONDS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        w.out.write(w.header.array(), 0, 24);
        return w;
    }

    void write(SnoopedFrame f) throws IOException {
        byte[] frame = f.frame();
        int captured = Math.min(frame.length, SNAPLEN);
        header.clear();
        header.putInt((int) (f.timestampNanos() / 1_000_000_000L)).putInt((int) (f.timestampNanos() % 1_000_000_000L))
                .putInt(captured).putInt(frame.length);
        out.write(header.array(), 0, 16);
        out.write(frame, 0, captured);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
