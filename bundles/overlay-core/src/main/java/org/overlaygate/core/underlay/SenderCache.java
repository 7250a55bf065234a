package org.overlaygate.core.underlay;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The sender of the last packet as an InetAddress, made from the IPv4 number the native sockets
 * report only when it changes: a steady stream from one peer costs no allocation. One per receive
 * thread.
 */
final class SenderCache {
    private int lastIpv4;
    private InetAddress last;

    InetAddress of(int ipv4) {
        if (last == null || ipv4 != lastIpv4) {
            try {
                last = InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // four bytes are always an address
            }
            lastIpv4 = ipv4;
        }
        return last;
    }
}
