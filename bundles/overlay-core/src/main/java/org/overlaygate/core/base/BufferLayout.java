package org.overlaygate.core.base;

/**
 * The layout every frame buffer of the data path shares, so that nothing is copied on the way
 * through: {@link #HEADROOM} free bytes in front of the inner frame, where the encapsulation header
 * is written on transmit (and where a TAP device's offload header sits on read), and room for the
 * largest frame behind it.
 */
public final class BufferLayout {
    /**
     * Room in front of every frame for the largest encapsulation header: 64 bytes fit VXLAN and
     * NVGRE (8) and Geneve with up to 56 bytes of options. Plugins that need more are refused.
     */
    public static final int HEADROOM = 64;
    /** Largest frame a buffer must hold: jumbo MTU 9000 plus Ethernet, VLAN tags and slack. */
    public static final int MAX_FRAME = 9216;
    /** Ethernet header without a VLAN tag. */
    public static final int ETHERNET_HEADER = 14;
    /** An 802.1Q tag. */
    public static final int VLAN_TAG = 4;
    public static final int ETHERTYPE_VLAN = 0x8100;

    private BufferLayout() {
    }
}
