package org.overlaygate.encap.geneve;

import java.nio.ByteBuffer;

import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;

/**
 * Reads the Geneve header of every packet on the plugin's sockets. Stateless and allocation-free:
 * only absolute reads inside the buffer's limit, so no input can make it throw. Checks are made in
 * the order a header must be understood: length, version (another version may mean anything
 * after it), the option area against the packet, protocol type, the O bit, then the options.
 */
final class GeneveDecapsulator implements Decapsulator {
    /** Fewer bytes than the fixed 8-byte header. */
    static final String DROP_SHORT = "geneve_short";
    /** A version other than 0 (section 3.4: "packets ... with an unknown version MUST be dropped"). */
    static final String DROP_VERSION = "geneve_bad_version";
    /** Opt Len names more option bytes than the packet has. */
    static final String DROP_OPTIONS_PAST_PACKET = "geneve_options_past_packet";
    /** A protocol type other than 0x6558 (Ethernet): nothing else has a VNIC to go to. */
    static final String DROP_PROTOCOL = "geneve_bad_protocol";
    /** The O bit: a control message, never delivered to a VNIC (section 3.4). */
    static final String DROP_OAM = "geneve_oam";
    /** The C bit, or an option with the critical bit: no option is understood here (section 3.5). */
    static final String DROP_CRITICAL = "geneve_critical_option";
    /** An option whose own length runs past the option area Opt Len gives. */
    static final String DROP_OPTION_LENGTH = "geneve_bad_option_length";

    @Override
    public boolean decapsulate(ByteBuffer buf, DecapResult result) {
        int start = buf.position();
        int available = buf.limit() - start;
        if (available < Geneve.BASE_HEADER) {
            return result.drop(DROP_SHORT);
        }
        int first = buf.get(start) & 0xFF;
        if ((first >>> 6) != Geneve.VERSION) {
            return result.drop(DROP_VERSION);
        }
        // Version 0: the fixed header is understood, so every refusal from here on names its VNI
        // and is counted on that overlay.
        long vni = (buf.getInt(start + 4) >>> 8) & Geneve.VNI_MASK;
        int optionBytes = (first & Geneve.OPT_LEN_MASK) * 4;
        if (Geneve.BASE_HEADER + optionBytes > available) {
            return result.drop(DROP_OPTIONS_PAST_PACKET, vni);
        }
        if ((buf.getShort(start + 2) & 0xFFFF) != Geneve.PROTOCOL_ETHERNET) {
            return result.drop(DROP_PROTOCOL, vni);
        }
        int flags = buf.get(start + 1) & 0xFF;
        if ((flags & Geneve.FLAG_OAM) != 0) {
            return result.drop(DROP_OAM, vni);
        }
        if ((flags & Geneve.FLAG_CRITICAL) != 0) {
            return result.drop(DROP_CRITICAL, vni); // C: at least one critical option, and none is understood
        }
        // C clear: no option should be critical, but a sender may be wrong, and an endpoint MUST
        // drop a packet with a critical option it does not understand. Walk them; skip the rest.
        int at = start + Geneve.BASE_HEADER;
        int end = at + optionBytes;
        while (at < end) { // both are 4-byte aligned, so a whole option header is there
            if ((buf.get(at + 2) & Geneve.OPTION_TYPE_CRITICAL) != 0) {
                return result.drop(DROP_CRITICAL, vni);
            }
            int length = Geneve.OPTION_HEADER + (buf.get(at + 3) & Geneve.OPTION_LENGTH_MASK) * 4;
            if (length > end - at) {
                return result.drop(DROP_OPTION_LENGTH, vni);
            }
            at += length;
        }
        buf.position(end);
        return result.accept(vni);
    }
}
