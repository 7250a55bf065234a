package org.overlaygate.core.os;

import java.io.IOException;

/**
 * What the two IPv4 underlay sockets (UDP and raw IP) share beyond the channel: their fd, and the
 * multicast options, which work the same on both.
 */
abstract class IpSocket extends NativeChannel {
    final int fd;

    IpSocket(int fd) throws IOException {
        this.fd = fd;
    }

    /** Joins or leaves an IPv4 multicast group: see {@link Multicast#join}. */
    public final void joinGroup(int groupIpv4, int localIpv4, int ifindex, boolean join) throws IOException {
        enter();
        try {
            Multicast.join(fd, groupIpv4, localIpv4, ifindex, join);
        } finally {
            exit();
        }
    }

    /** How datagrams to groups leave this socket: see {@link Multicast#setSending}. */
    public final void setMulticastSending(int localIpv4, int ifindex, int ttl, boolean loop) throws IOException {
        enter();
        try {
            Multicast.setSending(fd, localIpv4, ifindex, ttl, loop, description());
        } finally {
            exit();
        }
    }
}
