package org.overlaygate.core.vnic;

import java.io.IOException;

/** Opens the OS side of TAP and attached VNICs. */
public interface FramePortFactory {

    /** Creates TAP device {@code name} with the MAC and MTU, up. */
    FramePort openTap(String name, long mac, int mtu) throws IOException;

    /** Attaches to existing interface {@code name} (inbound frames only). */
    FramePort openPcap(String name) throws IOException;

    /** True when an interface of that name exists on the host (in this network namespace). */
    boolean interfaceExists(String name);
}
