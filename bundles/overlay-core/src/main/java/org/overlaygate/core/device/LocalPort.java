package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.core.base.Counters;

/** A device's view of one of its VNICs: where local frames go. */
public interface LocalPort {

    String name();

    long mac();

    Counters counters();

    /** The port's counters now, with any drops its OS side counted itself (frames too big to read). */
    default DeviceStats.Counters stats() {
        return counters().snapshot();
    }

    /**
     * Hands a frame ([offset, offset+length) of a direct buffer) to the VM behind the VNIC. Must
     * not keep a reference to the buffer, nor write to it (the bytes around the frame may be other
     * frames still waiting in a batch); counts its own output and drops.
     */
    void deliver(ByteBuffer buf, int offset, int length);

    /**
     * Hands a broadcast or multicast frame to the port, as {@link #deliver}; returns whether the
     * port answered it for itself alone (an attached router port answering an ARP request for its
     * address), so that a frame from this host goes no further. VNICs never do.
     */
    default boolean deliverGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
        deliver(buf, offset, length);
        return false;
    }

    /**
     * The port's VLAN: its VM sends and receives untagged frames, which carry this VLAN's tag on
     * the overlay; or {@link VlanTags#NONE}, a port that sends and receives frames as they are.
     */
    default int vlan() {
        return VlanTags.NONE;
    }

    /**
     * Whether the port's MAC is on the overlay on every host (a distributed gateway), so that
     * frames from the underlay with it as their source are expected.
     */
    default boolean sharedMac() {
        return false;
    }
}
