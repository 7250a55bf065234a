package org.overlaygate.encap.geneve;

/** The numbers of RFC 8926's header (section 3) that both directions use. */
final class Geneve {
    /** The fixed part: Ver, Opt Len, O, C, Rsvd., Protocol Type, VNI, Reserved. */
    static final int BASE_HEADER = 8;
    /** Version 0, the only one defined. */
    static final int VERSION = 0;
    /** Opt Len: 6 bits of the first byte, in 4-byte units. */
    static final int OPT_LEN_MASK = 0x3F;
    /** O, the first bit of the second byte. */
    static final int FLAG_OAM = 0x80;
    /** C, the second bit of the second byte. */
    static final int FLAG_CRITICAL = 0x40;
    /** Transparent Ethernet Bridging: the payload is an Ethernet frame. */
    static final int PROTOCOL_ETHERNET = 0x6558;
    static final long VNI_MASK = 0xFF_FFFFL;
    /** An option's own header: Option Class (16), Type (8), R R R and Length (5 bits, 4-byte units). */
    static final int OPTION_HEADER = 4;
    /** The critical bit: the high bit of an option's Type. */
    static final int OPTION_TYPE_CRITICAL = 0x80;
    static final int OPTION_LENGTH_MASK = 0x1F;
    /** The most option data one option carries: 31 units of 4 bytes. */
    static final int MAX_OPTION_DATA = OPTION_LENGTH_MASK * 4;
    /**
     * The most option bytes this plugin sends: the data path keeps 64 bytes in front of every frame
     * for the header, 8 of which are the fixed part. (Receiving takes any Opt Len, up to 252.)
     */
    static final int MAX_SENT_OPTIONS = 56;
    /** The most header bytes an encapsulator of this plugin writes. */
    static final int MAX_HEADER = BASE_HEADER + MAX_SENT_OPTIONS;

    private Geneve() {
    }
}
