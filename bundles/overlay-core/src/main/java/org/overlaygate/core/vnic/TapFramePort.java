package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.overlaygate.core.base.Offload;
import org.overlaygate.core.base.OffloadState;
import org.overlaygate.core.os.GatherList;
import org.overlaygate.core.os.TapDevice;

/**
 * A TAP device as the far side of a VNIC; closing it removes the device. With the offloads it has
 * a vnet header in front of every frame both ways: {@code tap_tso} lets the stack behind it hand
 * over TCP segments of up to 64 KiB with partial checksums (undone by the VNIC's
 * {@link TcpSegmenter}), {@code tap_gro} lets the VNIC write TCP segments it coalesced
 * ({@link TcpCoalescer}). With neither, it is a plain TAP device of whole frames.
 */
public final class TapFramePort implements FramePort {
    /** A TCP segment the stack hands over with TSO: 64 KiB of IP packet, its Ethernet header and a VLAN tag, with slack. */
    private static final int TSO_READ = 65536 + 256;
    private final TapDevice tap;
    private final boolean vnetHeader;
    private final OffloadState offloads;

    private TapFramePort(TapDevice tap, boolean vnetHeader, OffloadState offloads) {
        this.tap = tap;
        this.vnetHeader = vnetHeader;
        this.offloads = offloads;
    }

    /** Creates it with every offload the kernel has. */
    public static TapFramePort open(String name, long mac, int mtu) throws IOException {
        return open(name, mac, mtu, EnumSet.allOf(Offload.class));
    }

    /**
     * Creates TAP device {@code name} with the VNIC's MAC and the overlay's MTU and the offloads
     * {@code allowed} that the kernel has (probed), and brings it up.
     */
    public static TapFramePort open(String name, long mac, int mtu, Set<Offload> allowed) throws IOException {
        boolean vnetHeader = allowed.contains(Offload.TAP_TSO) || allowed.contains(Offload.TAP_GRO);
        TapDevice tap = TapDevice.create(name, vnetHeader);
        try {
            OffloadState state = new OffloadState(EnumSet.of(Offload.TAP_TSO, Offload.TAP_GRO));
            if (allowed.contains(Offload.TAP_TSO)) {
                String refusal = null;
                try {
                    tap.enableOffloads();
                } catch (IOException e) {
                    refusal = e.getMessage();
                }
                state.settle(Offload.TAP_TSO, refusal);
            } else {
                state.off(Offload.TAP_TSO, OffloadState.OFF_BY_SETTING);
            }
            state.settle(Offload.TAP_GRO, allowed.contains(Offload.TAP_GRO) ? tap.probeSegmentedWrites() : OffloadState.OFF_BY_SETTING);
            tap.setMacAddress(mac);
            tap.setMtu(mtu);
            tap.setUp();
            return new TapFramePort(tap, vnetHeader, state);
        } catch (IOException | RuntimeException e) {
            tap.close();
            throw e;
        }
    }

    @Override
    public String osName() {
        return tap.name();
    }

    @Override
    public long macAddress() throws IOException {
        return tap.macAddress();
    }

    @Override
    public int offloadHeaderLength() {
        return vnetHeader ? TapDevice.VNET_HEADER_LENGTH : 0;
    }

    @Override
    public int largestRead() {
        return offloads.uses(Offload.TAP_TSO) ? TSO_READ : FramePort.super.largestRead();
    }

    @Override
    public void busyPoll(long nanos) {
        tap.setBusyPoll(nanos);
    }

    @Override
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        if (!vnetHeader) {
            return tap.read(direct, offset, timeoutMillis);
        }
        int n = tap.read(direct, offset - TapDevice.VNET_HEADER_LENGTH, timeoutMillis);
        return n <= 0 ? n : Math.max(0, n - TapDevice.VNET_HEADER_LENGTH);
    }

    /**
     * Writes the frame (behind an all-zero vnet header when the device has one: no offload, a
     * complete frame whose checksums the receiving stack verifies itself, since the underlay does
     * not protect the inner frame).
     */
    @Override
    public String write(ByteBuffer direct, int offset, int length) throws IOException {
        return vnetHeader ? tap.writeWithoutOffload(direct, offset, length) : tap.write(direct, offset, length);
    }

    @Override
    public boolean takesCoalesced() {
        return offloads.uses(Offload.TAP_GRO);
    }

    @Override
    public String writeCoalesced(GatherList frame) throws IOException {
        return tap.write(frame);
    }

    @Override
    public Map<String, String> offloads() {
        return offloads.describe();
    }

    @Override
    public void close() {
        tap.close();
    }
}
