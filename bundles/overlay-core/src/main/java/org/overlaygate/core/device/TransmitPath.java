package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.SnoopedFrame;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.underlay.SendBatch;

/**
 * A device's transmit path: frames from its local ports, on their reader threads. Runts and frames
 * over the MTU are dropped; a destination that is another local port is switched locally;
 * broadcast and multicast go to the other ports and the flood targets (or, on a proxying overlay,
 * an ARP request or neighbour solicitation becomes an address request); unicast goes to the POINT
 * destination or through the target cache. Sending writes the encapsulation header into the
 * headroom and hands the packet to the mux or the reader's batch. Takes no lock and allocates
 * nothing on a cache hit; reads the device's settings once per frame.
 */
final class TransmitPath {
    static final String ADDRESS_REQUESTS = "address_requests";
    static final String FLOODED_UNKNOWN = "flooded_unknown_unicast";
    /** Broadcasts an attached port answered for itself (ARP for the gateway), which went no further. */
    static final String ANSWERED_LOCALLY = "answered_locally";

    private static final int TAGGED_HEADER = BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG;
    /** Per thread: where a frame is copied when one port must see it with a tag and another without. */
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME));

    private final Device device;

    TransmitPath(Device device) {
        this.device = device;
    }

    /**
     * A frame at [offset, offset+length) of a direct buffer with {@link BufferLayout#HEADROOM} free
     * bytes in front of it. What goes to the underlay is held in {@code batch} (null: sent at once)
     * until the reader flushes it, and counted then; the reader leaves the frame's bytes alone until
     * that flush.
     *
     * <p>VLANs: a frame from a port on a VLAN must be untagged (it is the VM's); it belongs to that
     * VLAN and carries its tag from where it leaves the host. A frame from a port without one keeps
     * its own tag where the encapsulation carries tags (Geneve), loses it where it does not (VXLAN,
     * NVGRE). Locally, ports on a VLAN get untagged frames of their VLAN only; ports without one
     * get frames as they are.
     */
    void fromPort(LocalPort source, ByteBuffer buf, int offset, int length, SendBatch batch) {
        Counters in = source.counters();
        in.in(length);
        if (length < BufferLayout.ETHERNET_HEADER) {
            in.drop(DropReasons.RUNT);
            return;
        }
        if (length > device.maxFrameLength) {
            in.drop(DropReasons.TOO_BIG);
            return;
        }
        if (device.snooper.active()) {
            device.snooper.snoop(SnoopedFrame.Direction.FROM_VNIC, buf, offset, length);
        }
        int vlan = source.vlan();
        boolean tagged = (buf.getShort(offset + 12) & 0xFFFF) == BufferLayout.ETHERTYPE_VLAN && length >= TAGGED_HEADER;
        if (vlan != VlanTags.NONE) {
            if (tagged || (buf.getShort(offset + 12) & 0xFFFF) == BufferLayout.ETHERTYPE_VLAN) {
                in.drop(DropReasons.VLAN_MISMATCH); // a VM on a VLAN sends untagged frames
                return;
            }
        } else if (tagged) {
            EncapBinding enc = device.encap;
            if (enc != null && enc.stripVlan) {
                // RFC 7348 6.1, RFC 7637 3.2: a VM's own tag does not cross this encapsulation.
                VlanTags.remove(buf, offset);
                offset += BufferLayout.VLAN_TAG;
                length -= BufferLayout.VLAN_TAG;
                tagged = false;
            } else {
                vlan = VlanTags.vlanOf(buf, offset, length);
            }
        }
        Forwarding f = device.forwarding;
        long dst = MacAddress.read(buf, offset);
        if (MacAddress.isGroup(dst)) {
            toGroup(f, source, buf, offset, length, vlan, tagged, in, batch);
            return;
        }
        LocalPort local = device.ports.get(dst);
        if (local != null) {
            if (local == source) {
                in.drop(DropReasons.HAIRPIN);
            } else {
                switchLocally(local, buf, offset, length, vlan, tagged, in);
            }
            return;
        }
        if (vlan != VlanTags.NONE && !tagged) { // leaving the host: the frame carries its VLAN's tag
            if (!roomForTag()) {
                in.drop(DropReasons.NO_ROOM_FOR_TAG);
                return;
            }
            VlanTags.insert(buf, offset, vlan);
            offset -= BufferLayout.VLAN_TAG;
            length += BufferLayout.VLAN_TAG;
        }
        if (device.mode == SearchMode.POINT) {
            transmitTo(f.point, buf, offset, length, in, batch);
            return;
        }
        CacheEntry e = device.cache.get(dst);
        if (e != null) {
            int state = e.state;
            if (state == CacheEntry.VALID) {
                device.cache.hits.increment();
                e.touch(device.env.nanoTime());
                transmitTo(e.destinations, buf, offset, length, in, batch);
                return;
            }
            if (state == CacheEntry.DROP && device.env.nanoTime() < e.expiresAtNanos) {
                in.drop(e.dropReason);
                return;
            }
        }
        if (f.floodUnknownUnicast && (e == null || e.state != CacheEntry.PENDING)) {
            device.events.increment(FLOODED_UNKNOWN); // flood-and-learn: the reply teaches where it lives
            flood(f, buf, offset, length, in, batch);
            return;
        }
        device.resolver.miss(dst, buf, offset, length, in);
    }

    /** Whether the bound encapsulation's header leaves room in front of the frame for a tag the data path adds. */
    private boolean roomForTag() {
        EncapBinding enc = device.encap;
        return enc == null || enc.headerLength + BufferLayout.VLAN_TAG <= BufferLayout.HEADROOM;
    }

    /**
     * Unicast to a local port: as it is to a port without a VLAN (tagged first when it is of a
     * VLAN, from a copy), untagged to a port of the frame's VLAN, and to a port of another VLAN
     * not at all.
     */
    private void switchLocally(LocalPort to, ByteBuffer buf, int offset, int length, int vlan, boolean tagged, Counters in) {
        int portVlan = to.vlan();
        if (portVlan == VlanTags.NONE) {
            if (vlan != VlanTags.NONE && !tagged) {
                ByteBuffer copy = SCRATCH.get();
                to.deliver(copy, BufferLayout.HEADROOM, VlanTags.copyTagged(buf, offset, length, vlan, copy));
            } else {
                to.deliver(buf, offset, length);
            }
        } else if (portVlan != vlan) {
            in.drop(DropReasons.VLAN_MISMATCH);
        } else if (tagged) {
            VlanTags.remove(buf, offset); // unicast: nothing else reads these bytes
            to.deliver(buf, offset + BufferLayout.VLAN_TAG, length - BufferLayout.VLAN_TAG);
        } else {
            to.deliver(buf, offset, length);
        }
    }

    /**
     * Broadcast and multicast: to every other local port that takes it (those of its VLAN untagged,
     * those without a VLAN as it is), then where the search plugin floods; on a proxying overlay an
     * ARP request or neighbour solicitation goes to varpd instead, and one a local port answered
     * for itself (the gateway's) goes nowhere else.
     */
    private void toGroup(Forwarding f, LocalPort source, ByteBuffer buf, int offset, int length, int vlan, boolean tagged, Counters in,
            SendBatch batch) {
        int local;
        if (vlan == VlanTags.NONE) {
            local = device.ports.flood(source, VlanTags.NONE, buf, offset, length, false);
        } else if (!tagged) { // from a port on the VLAN: its VLAN's ports as it is, then tagged for the rest
            local = device.ports.flood(source, vlan, buf, offset, length, false);
            if (!roomForTag()) {
                in.drop(DropReasons.NO_ROOM_FOR_TAG);
                return;
            }
            VlanTags.insert(buf, offset, vlan);
            offset -= BufferLayout.VLAN_TAG;
            length += BufferLayout.VLAN_TAG;
            local |= device.ports.flood(source, VlanTags.NONE, buf, offset, length, false);
        } else { // tagged by a VM without a VLAN, on an encapsulation that carries tags
            local = device.ports.flood(source, VlanTags.NONE, buf, offset, length, false);
            if (device.ports.has(vlan)) {
                ByteBuffer copy = SCRATCH.get();
                int copied = VlanTags.copyUntagged(buf, offset, length, copy);
                local |= device.ports.flood(source, vlan, copy, BufferLayout.HEADROOM, copied, false);
            }
        }
        if ((local & LocalSwitch.CONSUMED) != 0) {
            device.events.increment(ANSWERED_LOCALLY);
            return; // answered by an attached port for itself (the gateway's ARP): no further
        }
        if (device.mode == SearchMode.DYNAMIC && f.proxy && FrameKinds.isAddressRequest(buf, offset, length)) {
            device.events.increment(ADDRESS_REQUESTS);
            if (device.upcalls.mayRaiseAddressRequest(device.env.nanoTime())) {
                byte[] copy = new byte[length];
                buf.get(offset, copy);
                if (device.upcalls.offer(new Upcalls.Address(device, copy))) {
                    return;
                }
            }
            in.drop(DropReasons.ADDRESS_REQUEST_DROPPED);
            return;
        }
        if (device.mode == SearchMode.POINT) {
            transmitTo(f.point, buf, offset, length, in, batch);
        } else {
            flood(f, buf, offset, length, in, batch);
        }
    }

    private void flood(Forwarding f, ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        if (f.flood.length == 0) {
            in.drop(DropReasons.NO_FLOOD_TARGET);
            return;
        }
        transmitTo(f.flood, buf, offset, length, in, batch);
    }

    /**
     * Encapsulates once and sends to each destination, held in {@code batch} when not null; every
     * refusal is a drop counted by its reason on {@code in}. The frame must have
     * {@link BufferLayout#HEADROOM} bytes in front of it.
     */
    void transmitTo(UnderlayAddress[] destinations, ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        EncapBinding enc = device.encap;
        if (enc == null) {
            in.drop(DropReasons.NO_ENCAPSULATION);
            return;
        }
        if (destinations.length == 0) {
            in.drop(DropReasons.NO_DESTINATION);
            return;
        }
        int start = offset - enc.headerLength;
        int flowHash = FlowHash.of(buf, offset, length);
        try {
            enc.encapsulator.encapsulate(buf, start, device.vnetId, flowHash);
        } catch (Throwable t) { // a plugin bug, or its classes gone with a half-removed bundle
            in.drop(DropReasons.ENCAP_ERROR);
            return;
        }
        Counters out = device.counters;
        for (UnderlayAddress d : destinations) {
            if (batch != null) {
                batch.add(enc.mux, buf, start, length + enc.headerLength, d, flowHash, out, length, in);
                continue;
            }
            String refused = enc.mux.send(buf, start, length + enc.headerLength, d, flowHash);
            if (refused == null) {
                out.out(length);
            } else {
                in.drop(refused);
            }
        }
    }
}
