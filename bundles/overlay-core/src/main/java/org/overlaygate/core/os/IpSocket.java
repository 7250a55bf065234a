package org.overlaygate.core.os;

import com.sun.jna.Native;

import java.io.IOException;

/**
 * What the two IPv4 underlay sockets (UDP and raw IP) share beyond the channel: their fd, the
 * multicast options, receiving into a {@link RecvVector} and sending a {@link SendVector} (the
 * same calls on both), and what a failed call means.
 *
 * <p>Asynchronous ICMP errors (a peer's "port unreachable", which Linux reports on a raw socket,
 * or a UDP one that asked for them, as ECONNREFUSED and the like on the next call) are not
 * failures of the current call: a receive goes on waiting, a send is retried once.
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

    /**
     * Waits up to timeoutMillis for datagrams (or, on a raw socket, whole IPv4 packets) and
     * receives them into the vector: with {@code many}, as many as are queued, up to the vector's
     * slots, with one recvmmsg(2); otherwise one, with recvmsg(2). Either way the control messages
     * come too (UDP_GRO's segment size). Returns how many, 0 on timeout. A datagram larger than a
     * slot is received {@linkplain RecvVector#truncated truncated}.
     */
    public final int receive(RecvVector v, int timeoutMillis, boolean many) throws IOException {
        enter();
        try {
            v.reset();
            long deadline = deadline(timeoutMillis);
            for (;;) {
                if (many) {
                    int n = LibC.recvmmsg(fd, v.headers(), v.slots(), 0, 0L);
                    if (n > 0) {
                        v.count = n;
                        return n;
                    }
                } else {
                    long n = LibC.recvmsg(fd, v.headers(), 0);
                    if (n >= 0) {
                        v.receivedOne(n);
                        return 1;
                    }
                }
                if (!mayRetryReceive(Native.getLastError(), deadline, timeoutMillis)) {
                    return 0;
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * After a receive call failed with errno: true to call again (it was interrupted, or only an
     * asynchronous error, or data came while waiting), false when nothing came before the deadline.
     *
     * @throws IOException for a real error
     */
    final boolean mayRetryReceive(int errno, long deadline, int timeoutMillis) throws IOException {
        if (errno == LibC.EAGAIN) {
            return timeoutMillis != 0 && awaitReadable(fd, deadline, timeoutMillis < 0) != 0;
        }
        if (errno == LibC.EINTR || isAsyncIcmpError(errno)) {
            return true;
        }
        throw error("receive", errno);
    }

    static boolean isAsyncIcmpError(int errno) {
        return errno == LibC.ECONNREFUSED || errno == LibC.EHOSTUNREACH || errno == LibC.ENETUNREACH
                || errno == LibC.EHOSTDOWN || errno == LibC.EPROTO;
    }

    /**
     * Sends the messages of {@code v} from {@code first} on with sendmmsg(2). Thread-safe. Returns
     * how many the kernel took, in order; when that is fewer than were left, the next one was
     * refused (or not tried: call again from there), and when 0 were taken,
     * {@link SendVector#errno()} says why. Never throws for a refusal: what to do with one is the
     * caller's choice. An asynchronous ICMP error is consumed and the call retried once.
     */
    public final int send(SendVector v, int first) throws IOException {
        enter();
        try {
            boolean retried = false;
            for (;;) {
                int n = LibC.sendmmsg(fd, v.header(first), v.messages() - first, 0);
                if (n >= 0) {
                    return n;
                }
                int errno = Native.getLastError();
                if (errno == LibC.EINTR || (isAsyncIcmpError(errno) && !retried)) {
                    retried |= errno != LibC.EINTR;
                    continue;
                }
                v.errno = errno;
                if (errno == LibC.EAGAIN || errno == LibC.ENOBUFS) {
                    countDroppedWrite();
                }
                return 0;
            }
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
