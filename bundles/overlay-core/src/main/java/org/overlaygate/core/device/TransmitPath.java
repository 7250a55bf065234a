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

    private final Device device;

    TransmitPath(Device device) {
        this.device = device;
    }

    /**
     * A frame at [offset, offset+length) of a direct buffer with {@link BufferLayout#HEADROOM} free
     * bytes in front of it. What goes to the underlay is held in {@code batch} (null: sent at once)
     * until the reader flushes it, and counted then; the reader leaves the frame's bytes alone until
     * that flush.
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
        Forwarding f = device.forwarding;
        long dst = MacAddress.read(buf, offset);
        if (MacAddress.isGroup(dst)) {
            toGroup(f, source, buf, offset, length, in, batch);
            return;
        }
        LocalPort local = device.ports.get(dst);
        if (local != null) {
            if (local == source) {
                in.drop(DropReasons.HAIRPIN);
            } else {
                local.deliver(buf, offset, length);
            }
            return;
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

    /**
     * Broadcast and multicast: to every other local port, then where the search plugin floods; on a
     * proxying overlay an ARP request or neighbour solicitation goes to varpd instead.
     */
    private void toGroup(Forwarding f, LocalPort source, ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        if (device.ports.flood(source, buf, offset, length, false)) { // a local owner answers for itself, as on any switch
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
        if (enc.stripVlan && length >= BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG
                && (buf.getShort(offset + 12) & 0xFFFF) == BufferLayout.ETHERTYPE_VLAN) {
            // RFC 7348 6.1, RFC 7637 3.2: no inner 802.1Q tag on the wire. Move the two MACs over
            // the tag (back to front: the ranges overlap); the frame starts 4 bytes later.
            buf.putInt(offset + 12, buf.getInt(offset + 8));
            buf.putLong(offset + 4, buf.getLong(offset));
            offset += BufferLayout.VLAN_TAG;
            length -= BufferLayout.VLAN_TAG;
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
