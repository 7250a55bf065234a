package org.overlaygate.core.underlay;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Senders' IPv4 numbers, as the native sockets report them, turned into InetAddresses without an
 * allocation per packet: a direct-mapped table of the last 64 senders, so a receive thread that
 * hears from many peers in turn makes each address once. One per receive thread.
 */
final class SenderCache {
    private static final int SLOTS = 64;
    private final int[] numbers = new int[SLOTS];
    private final InetAddress[] addresses = new InetAddress[SLOTS];

    InetAddress of(int ipv4) {
        int slot = (ipv4 ^ (ipv4 >>> 8) ^ (ipv4 >>> 16)) & (SLOTS - 1);
        InetAddress a = addresses[slot];
        if (a == null || numbers[slot] != ipv4) {
            try {
                a = InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // four bytes are always an address
            }
            addresses[slot] = a;
            numbers[slot] = ipv4;
        }
        return a;
    }
}
