package org.overlaygate.search.files;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.SearchContext;

/**
 * What a new version of the mapping changes in the overlay's target cache, and nothing more: a MAC
 * that moved is re-pointed (its traffic goes on to the new host without a lookup), a MAC that was
 * removed is forgotten (its next frame is looked up, and dropped as not in the file), a MAC that was
 * added is forgotten too (it may hold a DROP entry from before). Unchanged MACs are not touched,
 * so their traffic flows on. An overlay address whose MAC changed is announced to the local VNICs
 * (a gratuitous ARP or unsolicited neighbour advertisement), so their neighbour caches follow.
 */
final class MappingChanges {
    final Map<Long, UnderlayAddress> moved;
    final List<Long> removed;
    final List<Long> added;
    final Map<InetAddress, Long> reassigned;

    private MappingChanges(Map<Long, UnderlayAddress> moved, List<Long> removed, List<Long> added, Map<InetAddress, Long> reassigned) {
        this.moved = Collections.unmodifiableMap(moved);
        this.removed = Collections.unmodifiableList(removed);
        this.added = Collections.unmodifiableList(added);
        this.reassigned = Collections.unmodifiableMap(reassigned);
    }

    /** The changes from {@code before} to {@code after}, MACs in ascending order. */
    static MappingChanges between(Mapping before, Mapping after) {
        Map<Long, UnderlayAddress> moved = new TreeMap<>();
        List<Long> removed = new ArrayList<>();
        List<Long> added = new ArrayList<>();
        for (Map.Entry<Long, UnderlayAddress> e : new TreeMap<>(before.destinations()).entrySet()) {
            UnderlayAddress now = after.destination(e.getKey());
            if (now == null) {
                removed.add(e.getKey());
            } else if (!now.equals(e.getValue())) {
                moved.put(e.getKey(), now);
            }
        }
        for (Long mac : new TreeMap<>(after.destinations()).keySet()) {
            if (before.destination(mac) == null) {
                added.add(mac);
            }
        }
        Map<InetAddress, Long> reassigned = new LinkedHashMap<>();
        after.addresses().forEach((ip, mac) -> {
            Long was = before.macOf(ip);
            if (was != null && !was.equals(mac)) {
                reassigned.put(ip, mac);
            }
        });
        return new MappingChanges(moved, removed, added, reassigned);
    }

    boolean isEmpty() {
        return moved.isEmpty() && removed.isEmpty() && added.isEmpty() && reassigned.isEmpty();
    }

    /**
     * Applies the changes to the overlay. A MAC moved to this very host is forgotten rather than
     * re-pointed: its VNIC here is switched locally, and the cache must not send it to ourselves.
     */
    void applyTo(SearchContext context) {
        UnderlayAddress self = context.underlayAddress();
        moved.forEach((mac, dest) -> {
            if (dest.equals(self)) {
                context.invalidate(mac);
            } else {
                context.setTarget(mac, dest);
            }
        });
        removed.forEach(context::invalidate);
        added.forEach(context::invalidate);
        reassigned.forEach((ip, mac) -> {
            try {
                context.announce(ip, mac);
            } catch (IllegalArgumentException e) {
                // only a courtesy to the local neighbour caches: they learn it on their next ARP or NS
            }
        });
    }

    /** {@code 2 moved, 1 removed, 0 added, 1 address reassigned}, for the log. */
    @Override
    public String toString() {
        return moved.size() + " moved, " + removed.size() + " removed, " + added.size() + " added, " + reassigned.size()
                + " address" + (reassigned.size() == 1 ? "" : "es") + " reassigned" + (moved.isEmpty() ? "" : " " + describe(moved));
    }

    private static String describe(Map<Long, UnderlayAddress> moved) {
        List<String> parts = new ArrayList<>();
        moved.forEach((mac, dest) -> parts.add(MacAddress.format(mac) + " -> " + dest));
        return parts.size() > 8 ? "(" + String.join(", ", parts.subList(0, 8)) + ", ...)" : "(" + String.join(", ", parts) + ")";
    }
}
