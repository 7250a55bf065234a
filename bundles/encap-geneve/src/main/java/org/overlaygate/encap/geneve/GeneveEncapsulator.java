package org.overlaygate.encap.geneve;

import java.nio.ByteBuffer;

import org.overlaygate.api.encap.Encapsulator;

/**
 * Writes one overlay's Geneve header: version 0, O clear, protocol type 0x6558, the VNI, and the
 * overlay's configured options (none by default), with C set exactly when one of them is critical.
 * The first word and the options are computed once; sending copies them and the VNI, allocating
 * nothing.
 */
final class GeneveEncapsulator implements Encapsulator {
    /** The encapsulator of every overlay without options. */
    static final GeneveEncapsulator PLAIN = new GeneveEncapsulator(GeneveOptions.NONE);

    private final byte[] options;
    private final int firstWord;

    GeneveEncapsulator(GeneveOptions options) {
        this.options = options.bytes();
        int flags = options.critical() ? Geneve.FLAG_CRITICAL : 0;
        this.firstWord = (Geneve.VERSION << 30) | ((this.options.length / 4) << 24) | (flags << 16) | Geneve.PROTOCOL_ETHERNET;
    }

    @Override
    public int headerLength() {
        return Geneve.BASE_HEADER + options.length;
    }

    @Override
    public void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash) {
        buf.putInt(index, firstWord);
        buf.putInt(index + 4, (int) (vnetId << 8)); // the low byte is Reserved: zero
        if (options.length > 0) {
            buf.put(index + Geneve.BASE_HEADER, options);
        }
    }
}
