package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.SnoopedFrame;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.underlay.InboundBatch;

/**
 * A device's receive path: inner frames decapsulated by an underlay mux, on the mux's receive
 * thread. In order: size checks; admission (an overlay that accepts only its peers takes frames
 * from its point destination, its configured peers, or where the cache says the inner source
 * lives, and has an unknown source looked up); learning (a learning overlay confirms or reports
 * the inner source, unless it is a MAC of this host's own ports: never learned as remote, and
 * counted as {@value #LOCAL_MAC_FROM_UNDERLAY} unless the port's MAC is shared by design, a
 * distributed gateway's); delivery to the port owning the destination MAC (through the thread's
 * {@link Delivery}, which may coalesce), or to every port for broadcast; a unicast frame for a MAC
 * that is not here is counted and reported, rate-limited, for the invalidation plugin.
 * Allocation-free unless it reports; reads the device's settings once per frame.
 */
final class ReceivePath {
    static final String NOT_HERE_REPORTS = "not_here_reports";
    static final String LEARN_REPORTS = "learn_reports";
    /**
     * A frame from the underlay whose source MAC is a port of this host that is not shared (a
     * VNIC's): a duplicate MAC elsewhere, or a loop. Counted; the cache is not moved.
     */
    static final String LOCAL_MAC_FROM_UNDERLAY = "local_mac_from_underlay";
    private static final long NOT_HERE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LEARN_REPORT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Device device;
    /** Per (MAC, sender) hash slot: when a not-here report was last raised (racy by design). */
    private final long[] notHereReportedAt = new long[256];
    /** Per MAC hash slot: when a learned-source report was last raised (racy by design). */
    private final long[] learnReportedAt = new long[256];

    ReceivePath(Device device) {
        this.device = device;
    }

    void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort, InboundBatch batch) {
        Counters counters = device.counters;
        counters.in(length);
        if (length < BufferLayout.ETHERNET_HEADER) {
            counters.drop(DropReasons.RUNT);
            return;
        }
        if (length > device.maxFrameLength) {
            counters.drop(DropReasons.TOO_BIG);
            return;
        }
        Forwarding f = device.forwarding;
        long src = MacAddress.read(buf, offset + 6);
        if (device.peersOnly && !fromPeer(f, src, sender)) {
            counters.drop(DropReasons.NOT_A_PEER);
            if (device.mode == SearchMode.DYNAMIC && !f.learns && !MacAddress.isGroup(src)) {
                device.resolver.verify(src); // once the plugin says src lives at this sender, it is let in
            }
            return;
        }
        LocalPort owner = device.ports.get(src);
        if (owner != null) {
            if (!owner.sharedMac()) {
                device.events.increment(LOCAL_MAC_FROM_UNDERLAY); // a duplicate MAC, or a loop
            }
        } else if (f.learns) {
            noteSource(f, src, sender, senderPort); // a MAC of this host is never learned as remote
        }
        deliver(buf, offset, length, sender, batch instanceof Delivery ? (Delivery) batch : null);
    }

    /**
     * Whether a sender is one the overlay knows (accept=peers): its point destination, a unicast
     * flood target (configured peers), or where the cache says the frame's inner source lives.
     * Allocation-free.
     */
    private boolean fromPeer(Forwarding f, long src, InetAddress sender) {
        if (sender == null) {
            return false;
        }
        if (f.isConfiguredPeer(sender)) {
            return true;
        }
        CacheEntry e = device.cache.get(src);
        return e != null && e.state == CacheEntry.VALID && e.isAt(sender);
    }

    /**
     * Flood-and-learn: confirms a learned entry seen again at its address, and reports a source
     * the cache does not hold there (at most one report per MAC slot every 100 ms, within the
     * channel's rate), allocating nothing unless it reports.
     */
    private void noteSource(Forwarding f, long src, InetAddress sender, int senderPort) {
        if (MacAddress.isGroup(src) || sender == null) {
            return;
        }
        long now = device.env.nanoTime();
        CacheEntry e = device.cache.get(src);
        if (e != null && e.state == CacheEntry.VALID && e.isAt(sender)) {
            if (e.origin == TargetEntry.Origin.LEARNED) {
                e.confirm(now);
            }
            return;
        }
        if (e != null && e.state == CacheEntry.VALID && e.origin == TargetEntry.Origin.STATIC) {
            return; // the operator's word stands
        }
        int slot = (int) ((src ^ (src >>> 23)) & (learnReportedAt.length - 1));
        long last = learnReportedAt[slot];
        if (last != 0 && now - last < LEARN_REPORT_INTERVAL_NANOS) {
            return;
        }
        learnReportedAt[slot] = now;
        if ((e == null || e.origin != TargetEntry.Origin.LEARNED) && device.cache.learned() >= f.policy.maxLearned()) {
            device.events.increment(TargetResolver.LEARN_LIMITED);
            return;
        }
        if (device.upcalls.mayReportLearned(now)) {
            device.events.increment(LEARN_REPORTS);
            device.upcalls.offer(new Upcalls.Learned(device, src, sender, senderPort));
        }
    }

    /**
     * Delivers an inner frame to the port owning its destination (through {@code delivery} when
     * not null), or to every port that takes it for broadcast and multicast; {@code sender} null
     * means the frame did not come from the underlay (a proxy reply, an announcement) and is never
     * reported. A port on a VLAN gets the frames of its VLAN, untagged; a port without one gets
     * untagged frames, and tagged ones where the encapsulation carries VMs' tags (Geneve). A frame
     * no port takes is dropped by its reason: {@code vlan_mismatch}, {@code no_local_port} (a
     * broadcast with no port here) or {@code not_here}. Every frame is thus delivered or counted.
     */
    void deliver(ByteBuffer buf, int offset, int length, InetAddress sender, Delivery delivery) {
        if (device.snooper.active()) {
            device.snooper.snoop(SnoopedFrame.Direction.FROM_UNDERLAY, buf, offset, length);
        }
        long dst = MacAddress.read(buf, offset);
        int vlan = VlanTags.vlanOf(buf, offset, length);
        EncapBinding enc = device.encap;
        boolean portsWithoutVlanTakeTags = enc == null || !enc.stripVlan;
        if (MacAddress.isGroup(dst)) {
            int got = 0;
            if (vlan == VlanTags.NONE || portsWithoutVlanTakeTags) {
                got = device.ports.flood(null, VlanTags.NONE, buf, offset, length, sender != null);
            }
            if (vlan != VlanTags.NONE && device.ports.has(vlan)) {
                VlanTags.remove(buf, offset); // after the ports that take it tagged: nothing else reads it
                got |= device.ports.flood(null, vlan, buf, offset + BufferLayout.VLAN_TAG, length - BufferLayout.VLAN_TAG, sender != null);
            }
            if ((got & LocalSwitch.DELIVERED) == 0) {
                device.counters.drop(vlan != VlanTags.NONE ? DropReasons.VLAN_MISMATCH : DropReasons.NO_LOCAL_PORT);
            }
            return;
        }
        LocalPort local = device.ports.get(dst);
        if (local != null) {
            int portVlan = local.vlan();
            if (portVlan == VlanTags.NONE ? vlan != VlanTags.NONE && !portsWithoutVlanTakeTags : portVlan != vlan) {
                device.counters.drop(DropReasons.VLAN_MISMATCH);
                return;
            }
            if (portVlan != VlanTags.NONE) {
                VlanTags.remove(buf, offset);
                offset += BufferLayout.VLAN_TAG;
                length -= BufferLayout.VLAN_TAG;
            }
            if (delivery != null) {
                delivery.deliver(local, buf, offset, length);
            } else {
                local.deliver(buf, offset, length);
            }
            return;
        }
        device.counters.drop(DropReasons.NOT_HERE);
        if (sender != null) {
            reportNotHere(dst, sender);
        }
    }

    /** At most one report a second per (MAC, sender) hash slot, within the channel's rate. */
    private void reportNotHere(long mac, InetAddress sender) {
        int slot = (int) ((mac ^ (mac >>> 29) ^ sender.hashCode()) & (notHereReportedAt.length - 1));
        long now = device.env.nanoTime();
        long last = notHereReportedAt[slot];
        if (last != 0 && now - last < NOT_HERE_INTERVAL_NANOS) {
            return;
        }
        notHereReportedAt[slot] = now;
        if (device.upcalls.mayReportNotHere(now)) {
            device.events.increment(NOT_HERE_REPORTS);
            device.upcalls.offer(new Upcalls.NotHereReport(device, mac, sender));
        }
    }
}
