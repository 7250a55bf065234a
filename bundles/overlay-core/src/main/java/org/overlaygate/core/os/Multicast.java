package org.overlaygate.core.os;

import java.io.IOException;
import java.nio.ByteBuffer;

import com.sun.jna.Native;

/**
 * The IPv4 multicast socket options the underlay needs, for UDP and raw IP sockets alike: joining
 * and leaving groups (IGMP), and choosing how datagrams to groups leave. Callers hold their
 * channel (enter/exit) around each call.
 */
public final class Multicast {
    private Multicast() {
    }

    /**
     * Joins (IP_ADD_MEMBERSHIP) or leaves (IP_DROP_MEMBERSHIP) a group on the interface with index
     * {@code ifindex}, or, when it is 0, on the interface that owns {@code localIpv4} (0: the one the
     * routing table picks for the group).
     */
    static void join(int fd, int groupIpv4, int localIpv4, int ifindex, boolean join) throws IOException {
        long mreqn = mreqn(groupIpv4, localIpv4, ifindex);
        if (LibC.setsockopt(fd, LibC.IPPROTO_IP, join ? LibC.IP_ADD_MEMBERSHIP : LibC.IP_DROP_MEMBERSHIP, mreqn, LibC.IP_MREQN_SIZE) < 0) {
            int errno = Native.getLastError();
            throw new IOException((join ? "cannot join " : "cannot leave ") + RawIpSocket.format(groupIpv4) + ": " + LibC.errorText(errno)
                    + (errno == LibC.ENODEV ? " (no such interface, or no route for the group: name the interface)" : ""));
        }
    }

    /**
     * Sets how datagrams to groups leave: through the interface with index {@code ifindex} (or,
     * when 0, the one owning {@code localIpv4}), with {@code ttl}, and whether they loop back to
     * this host's own members of the group.
     */
    static void setSending(int fd, int localIpv4, int ifindex, int ttl, boolean loop, String what) throws IOException {
        if (LibC.setsockopt(fd, LibC.IPPROTO_IP, LibC.IP_MULTICAST_IF, mreqn(0, localIpv4, ifindex), LibC.IP_MREQN_SIZE) < 0) {
            throw new IOException(what + ": cannot set IP_MULTICAST_IF: " + LibC.errorText(Native.getLastError()));
        }
        int errno = NativeChannel.setIntOption(fd, LibC.IPPROTO_IP, LibC.IP_MULTICAST_TTL, ttl);
        if (errno == 0) {
            errno = NativeChannel.setIntOption(fd, LibC.IPPROTO_IP, LibC.IP_MULTICAST_LOOP, loop ? 1 : 0);
        }
        if (errno != 0) {
            throw new IOException(what + ": cannot set the multicast TTL and loop: " + LibC.errorText(errno));
        }
    }

    /** Receive only datagrams for groups this very socket joined (off by default in Linux, surprisingly). */
    static void onlyJoinedGroups(int fd, String what) throws IOException {
        int errno = NativeChannel.setIntOption(fd, LibC.IPPROTO_IP, LibC.IP_MULTICAST_ALL, 0);
        if (errno != 0) {
            throw new IOException(what + ": cannot clear IP_MULTICAST_ALL: " + LibC.errorText(errno));
        }
    }

    /** The interface index of a name, or an IOException naming it when there is none. */
    public static int interfaceIndex(String name) throws IOException {
        LibC.requireSupportedPlatform();
        int index = LibC.if_nametoindex(name);
        if (index == 0) {
            throw new IOException("no network interface " + name);
        }
        return index;
    }

    private static long mreqn(int groupIpv4, int localIpv4, int ifindex) {
        NativeChannel.Scratch scratch = NativeChannel.scratch();
        ByteBuffer b = scratch.buffer;
        for (int i = 0; i < 4; i++) {
            b.put(NativeChannel.SCRATCH_SOCKADDR + i, (byte) (groupIpv4 >>> (24 - 8 * i)));
            b.put(NativeChannel.SCRATCH_SOCKADDR + 4 + i, (byte) (localIpv4 >>> (24 - 8 * i)));
        }
        b.putInt(NativeChannel.SCRATCH_SOCKADDR + 8, ifindex); // native order, like the buffer
        return scratch.address + NativeChannel.SCRATCH_SOCKADDR;
    }
}
