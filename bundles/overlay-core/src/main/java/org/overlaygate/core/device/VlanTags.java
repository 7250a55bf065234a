package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.base.BufferLayout;

/**
 * 802.1Q tags on frames in place: read, insert (the two MAC addresses move 4 bytes towards the
 * headroom, the frame starts 4 bytes earlier) and remove (they move 4 bytes on, the frame starts 4
 * bytes later). Only the MACs move, 12 bytes; nothing is allocated. The tag written carries the
 * VLAN id alone (priority 0, DEI 0).
 */
final class VlanTags {
    static final int NONE = VnicConfig.NO_VLAN;

    private VlanTags() {
    }

    /** The VLAN id of a tagged frame, or {@link #NONE}. */
    static int vlanOf(ByteBuffer buf, int offset, int length) {
        if (length < BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG
                || (buf.getShort(offset + 12) & 0xFFFF) != BufferLayout.ETHERTYPE_VLAN) {
            return NONE;
        }
        return buf.getShort(offset + 14) & 0x0FFF;
    }

    /** Tags the frame at {@code offset} with {@code vlan}; the tagged frame starts at {@code offset - 4}. */
    static void insert(ByteBuffer buf, int offset, int vlan) {
        buf.putLong(offset - BufferLayout.VLAN_TAG, buf.getLong(offset)); // front to back: the ranges overlap
        buf.putInt(offset + 4, buf.getInt(offset + 8));
        buf.putShort(offset + 8, (short) BufferLayout.ETHERTYPE_VLAN);
        buf.putShort(offset + 10, (short) vlan);
    }

    /** Removes the tag of the frame at {@code offset}; the untagged frame starts at {@code offset + 4}. */
    static void remove(ByteBuffer buf, int offset) {
        buf.putInt(offset + 12, buf.getInt(offset + 8)); // back to front: the ranges overlap
        buf.putLong(offset + 4, buf.getLong(offset));
    }

    /**
     * Copies the frame at [offset, offset+length) to {@link BufferLayout#HEADROOM} of {@code to}
     * with a tag for {@code vlan} added; returns the copy's length.
     */
    static int copyTagged(ByteBuffer from, int offset, int length, int vlan, ByteBuffer to) {
        int at = BufferLayout.HEADROOM;
        to.put(at, from, offset, 12);
        to.putShort(at + 12, (short) BufferLayout.ETHERTYPE_VLAN);
        to.putShort(at + 14, (short) vlan);
        to.put(at + 16, from, offset + 12, length - 12);
        return length + BufferLayout.VLAN_TAG;
    }

    /**
     * Copies the tagged frame at [offset, offset+length) to {@link BufferLayout#HEADROOM} of
     * {@code to} without its tag; returns the copy's length.
     */
    static int copyUntagged(ByteBuffer from, int offset, int length, ByteBuffer to) {
        int at = BufferLayout.HEADROOM;
        to.put(at, from, offset, 12);
        to.put(at + 12, from, offset + 16, length - 16);
        return length - BufferLayout.VLAN_TAG;
    }
}
