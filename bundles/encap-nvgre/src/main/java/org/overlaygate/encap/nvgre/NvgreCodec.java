package org.overlaygate.encap.nvgre;

import java.nio.ByteBuffer;

import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.Encapsulator;

/** The NVGRE header, both directions. One encapsulator per FlowID policy (hashed, or a constant); any instance decapsulates. */
final class NvgreCodec implements Encapsulator, Decapsulator {
    static final int HEADER_LENGTH = 8;
    /** Flags and version word: K (0x2000) only. */
    static final int FLAGS_KEY = 0x2000;
    static final int PROTOCOL_TEB = 0x6558;
    static final int FLAG_C = 0x8000;
    static final int FLAG_S = 0x1000;
    static final int VERSION_MASK = 0x0007;
    /** Every bit of the first word except C, K, S and the version: RFC 2784 reserved bits and R. */
    static final int RESERVED_MASK = 0xFFFF & ~(FLAG_C | FLAGS_KEY | FLAG_S | VERSION_MASK);
    private static final int ETHERNET_HEADER = 14;

    static final String DROP_SHORT = "nvgre_short";
    static final String DROP_CHECKSUM = "nvgre_checksum_present";
    static final String DROP_SEQUENCE = "nvgre_sequence_present";
    static final String DROP_NO_KEY = "nvgre_no_key";
    static final String DROP_RESERVED = "nvgre_reserved_bits";
    static final String DROP_VERSION = "nvgre_bad_version";
    static final String DROP_PROTOCOL = "nvgre_not_ethernet";
    static final String DROP_INNER_VLAN = "nvgre_inner_vlan";

    /** A constant FlowID, or -1 to hash. */
    private final int constantFlowId;

    NvgreCodec(int constantFlowId) {
        this.constantFlowId = constantFlowId;
    }

    @Override
    public int headerLength() {
        return HEADER_LENGTH;
    }

    @Override
    public void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash) {
        int flowId = constantFlowId >= 0 ? constantFlowId : fold(flowHash);
        buf.putInt(index, FLAGS_KEY << 16 | PROTOCOL_TEB);
        buf.putInt(index + 4, (int) (vnetId << 8) | flowId);
    }

    /** Folds a 32-bit hash into the 8-bit FlowID, keeping entropy from every byte. */
    static int fold(int hash) {
        return (hash ^ (hash >>> 8) ^ (hash >>> 16) ^ (hash >>> 24)) & 0xFF;
    }

    @Override
    public boolean decapsulate(ByteBuffer buf, DecapResult result) {
        int start = buf.position();
        if (buf.limit() - start < HEADER_LENGTH + ETHERNET_HEADER) {
            return result.drop(DROP_SHORT);
        }
        int flags = buf.getShort(start) & 0xFFFF;
        if ((flags & FLAG_C) != 0) {
            return result.drop(DROP_CHECKSUM);
        }
        if ((flags & FLAG_S) != 0) {
            return result.drop(DROP_SEQUENCE);
        }
        if ((flags & FLAGS_KEY) == 0) {
            return result.drop(DROP_NO_KEY);
        }
        if ((flags & RESERVED_MASK) != 0) {
            return result.drop(DROP_RESERVED);
        }
        if ((flags & VERSION_MASK) != 0) {
            return result.drop(DROP_VERSION);
        }
        if ((buf.getShort(start + 2) & 0xFFFF) != PROTOCOL_TEB) {
            return result.drop(DROP_PROTOCOL);
        }
        long vsid = (buf.getInt(start + 4) >>> 8) & 0xFF_FFFFL;
        if ((buf.getShort(start + HEADER_LENGTH + 12) & 0xFFFF) == 0x8100) {
            return result.drop(DROP_INNER_VLAN, vsid); // RFC 7637 3.2: MUST drop; a valid NVGRE header names its overlay
        }
        buf.position(start + HEADER_LENGTH);
        return result.accept(vsid);
    }
}
