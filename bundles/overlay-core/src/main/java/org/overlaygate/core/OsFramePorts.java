package org.overlaygate.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.EnumSet;
import java.util.Set;

import org.overlaygate.core.base.Offload;

import org.overlaygate.core.vnic.FramePort;
import org.overlaygate.core.vnic.FramePortFactory;
import org.overlaygate.core.vnic.PcapFramePort;
import org.overlaygate.core.vnic.TapFramePort;

/** The Linux implementations of TAP and attached VNICs. */
final class OsFramePorts implements FramePortFactory {
    private final Set<Offload> offloads;
    private final long busyPollNanos;
    private final int tapQueues;

    private OsFramePorts(Set<Offload> offloads, long busyPollNanos, int tapQueues) {
        this.offloads = offloads;
        this.busyPollNanos = busyPollNanos;
        this.tapQueues = tapQueues;
    }

    /**
     * TAP devices get the offloads of {@code offloads} that the kernel has and up to
     * {@code tapQueues} queues, and their readers busy-poll for {@code busyPollNanos} before they
     * sleep.
     */
    static FramePortFactory create(Set<Offload> offloads, long busyPollNanos, int tapQueues) {
        return new OsFramePorts(offloads, busyPollNanos, tapQueues);
    }

    @Override
    public FramePort openTap(String name, long mac, int mtu) throws IOException {
        FramePort port = TapFramePort.open(name, mac, mtu, offloads, tapQueues);
        port.busyPoll(busyPollNanos);
        return port;
    }

    @Override
    public FramePort openPlainTap(String name, long mac, int mtu) throws IOException {
        return TapFramePort.open(name, mac, mtu, EnumSet.noneOf(Offload.class), 1); // a host link: one queue, whole frames
    }

    @Override
    public int interfaceMtu(String name) throws IOException {
        try {
            return Integer.parseInt(Files.readString(Paths.get("/sys/class/net", name, "mtu")).trim());
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the MTU of " + name + ": " + e.getMessage());
        }
    }

    @Override
    public FramePort openPcap(String name) throws IOException {
        return PcapFramePort.open(name);
    }

    @Override
    public boolean interfaceExists(String name) {
        return Files.exists(Paths.get("/sys/class/net", name));
    }
}
