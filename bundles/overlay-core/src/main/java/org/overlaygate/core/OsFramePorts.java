package org.overlaygate.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Set;

import org.overlaygate.core.base.Offload;

import org.overlaygate.core.vnic.FramePort;
import org.overlaygate.core.vnic.FramePortFactory;
import org.overlaygate.core.vnic.PcapFramePort;
import org.overlaygate.core.vnic.TapFramePort;

/** The Linux implementations of TAP and attached VNICs. */
final class OsFramePorts implements FramePortFactory {
    private final Set<Offload> offloads;

    private OsFramePorts(Set<Offload> offloads) {
        this.offloads = offloads;
    }

    /** TAP devices get the offloads of {@code offloads} that the kernel has. */
    static FramePortFactory create(Set<Offload> offloads) {
        return new OsFramePorts(offloads);
    }

    @Override
    public FramePort openTap(String name, long mac, int mtu) throws IOException {
        return TapFramePort.open(name, mac, mtu, offloads);
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
