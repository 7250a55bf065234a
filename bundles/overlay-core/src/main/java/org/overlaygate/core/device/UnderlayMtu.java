package org.overlaygate.core.device;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** The MTU of the interface that owns an underlay address, as the kernel reports it. */
final class UnderlayMtu {
    private UnderlayMtu() {
    }

    /** The MTU, or 0 when it cannot be known (a wildcard address, no interface owns it). */
    static int of(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return 0;
        }
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(address);
            return nif == null ? 0 : nif.getMTU();
        } catch (SocketException e) {
            return 0;
        }
    }
}
