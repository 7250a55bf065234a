package org.overlaygate.core.device;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPathException;

/**
 * The local half of a device's virtual switch: its ports (VNICs) by MAC. Frame paths read without
 * a lock (a primitive-keyed concurrent map, and an array swapped whole); ports are added and
 * removed under this object's monitor.
 */
final class LocalSwitch {
    private final String overlay;
    private final NonBlockingHashMapLong<LocalPort> byMac = new NonBlockingHashMapLong<>();
    private volatile LocalPort[] ports = new LocalPort[0];

    LocalSwitch(String overlay) {
        this.overlay = overlay;
    }

    /** The port with this MAC, or null. Lock-free and allocation-free. */
    LocalPort get(long mac) {
        return byMac.get(mac);
    }

    /** {@link #flood}'s result: at least one port got the frame. */
    static final int DELIVERED = 1;
    /** {@link #flood}'s result: a port answered it for itself alone ({@link LocalPort#deliverGroup}). */
    static final int CONSUMED = 2;

    /**
     * Hands a broadcast or multicast frame to every port of {@code vlan} ({@link VlanTags#NONE}:
     * the ports without a VLAN) but {@code except} (null: none excepted).
     *
     * @return {@link #DELIVERED} and {@link #CONSUMED}, or'ed
     */
    int flood(LocalPort except, int vlan, ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
        int result = 0;
        for (LocalPort p : ports) {
            if (p != except && p.vlan() == vlan) {
                result |= DELIVERED | (p.deliverGroup(buf, offset, length, fromUnderlay) ? CONSUMED : 0);
            }
        }
        return result;
    }

    /** Whether any port is on {@code vlan} ({@link VlanTags#NONE}: any port without a VLAN). Allocation-free. */
    boolean has(int vlan) {
        for (LocalPort p : ports) {
            if (p.vlan() == vlan) {
                return true;
            }
        }
        return false;
    }

    /** The names of the ports, for a message. */
    java.util.List<String> names() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (LocalPort p : ports) {
            out.add(p.name());
        }
        return out;
    }

    LocalPort[] all() {
        return ports;
    }

    int size() {
        return ports.length;
    }

    /** @throws DataPathException when another port has the same MAC */
    synchronized void add(LocalPort port) throws DataPathException {
        if (byMac.putIfAbsent(port.mac(), port) != null) {
            throw new DataPathException("MAC " + MacAddress.format(port.mac()) + " is already used on overlay " + overlay);
        }
        LocalPort[] next = Arrays.copyOf(ports, ports.length + 1);
        next[next.length - 1] = port;
        ports = next;
    }

    synchronized void remove(LocalPort port) {
        byMac.remove(port.mac(), port);
        ports = Arrays.stream(ports).filter(p -> p != port).toArray(LocalPort[]::new);
    }
}
