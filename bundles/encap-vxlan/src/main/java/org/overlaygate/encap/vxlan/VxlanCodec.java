package org.overlaygate.encap.vxlan;

import java.nio.ByteBuffer;

import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.Encapsulator;

/** The VXLAN header, both directions. Stateless: one instance encapsulates for every overlay and decapsulates every packet. */
final class VxlanCodec implements Encapsulator, Decapsulator {
    static final int HEADER_LENGTH = 8;
    static final int FLAG_I = 0x08;
    private static final int ETHERNET_HEADER = 14;

    static final String DROP_SHORT = "vxlan_short";
    static final String DROP_NO_I_FLAG = "vxlan_no_i_flag";

    @Override
    public int headerLength() {
        return HEADER_LENGTH;
    }

    @Override
    public void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash) {
        buf.putInt(index, FLAG_I << 24);
        buf.putInt(index + 4, (int) (vnetId << 8));
    }

    @Override
    public boolean decapsulate(ByteBuffer buf, DecapResult result) {
        int start = buf.position();
        if (buf.limit() - start < HEADER_LENGTH + ETHERNET_HEADER) {
            return result.drop(DROP_SHORT);
        }
        if ((buf.get(start) & FLAG_I) == 0) {
            return result.drop(DROP_NO_I_FLAG);
        }
        long vni = (buf.getInt(start + 4) >>> 8) & 0xFF_FFFFL;
        buf.position(start + HEADER_LENGTH);
        return result.accept(vni);
    }
}
