package org.overlaygate.core.vnic;

import java.io.IOException;

/** Opens the OS side of TAP and attached VNICs. */
public interface FramePortFactory {

    /** Creates TAP device {@code name} with the MAC and MTU, up. */
    FramePort openTap(String name, long mac, int mtu) throws IOException;

    /** Creates TAP device {@code name} without offloads (whole frames, no vnet header), up: a host link's. */
    FramePort openPlainTap(String name, long mac, int mtu) throws IOException;

    /** The MTU of existing interface {@code name}. */
    int interfaceMtu(String name) throws IOException;

    /** Attaches to existing interface {@code name} (inbound frames only). */
    FramePort openPcap(String name) throws IOException;

    /** True when an interface of that name exists on the host (in this network namespace). */
    boolean interfaceExists(String name);
}
