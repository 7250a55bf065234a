package org.overlaygate.core.os;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.Buffer;

/**
 * The libc calls of the native I/O layer, bound with JNA <em>direct mapping</em>
 * ({@link Native#register(Class, NativeLibrary)}): every method is a JNI native whose arguments
 * are primitives, so a call creates no Java object (no {@code Pointer}, no {@code Memory}, no
 * argument array, no exception). Pointers are passed as {@code long} addresses; the one exception
 * is {@link #memset(Buffer, int, long)}, used only to learn the address of a direct buffer.
 *
 * <p>errno is read after a failed call with {@link Native#getLastError()}, which JNA preserves per
 * thread for direct-mapped calls without allocating. No method declares
 * {@code LastErrorException}: that would make JNA throw (and allocate) on every EAGAIN.
 *
 * <p>The constants are the Linux values, identical on x86_64 and aarch64 (the asm-generic
 * ABI); {@link #requireSupportedPlatform()} refuses anything else with a clear message.
 */
final class LibC {
    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    // open(2), socket(2), eventfd(2) flags
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = O_NONBLOCK;
    static final int SOCK_CLOEXEC = O_CLOEXEC;
    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;

    // poll(2)
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    static final int POLLFD_SIZE = 8;

    // recv(2), send(2) flags; msghdr.msg_flags
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;

    // UDP socket options (level SOL_UDP = IPPROTO_UDP), and the control messages of the same names
    static final int SOL_UDP = 17;
    /** Send: the size of the datagrams one large send is cut into (GSO, Linux 4.18). */
    static final int UDP_SEGMENT = 103;
    /** Receive: datagrams of one flow may arrive coalesced, with their size in a control message (Linux 5.0). */
    static final int UDP_GRO = 104;

    /**
     * struct msghdr (LP64): name pointer, namelen (+4 pad), iov pointer, iovlen, control pointer,
     * controllen, flags (+4 pad); struct mmsghdr adds msg_len (+4 pad).
     */
    static final int MSGHDR_NAME = 0;
    static final int MSGHDR_NAMELEN = 8;
    static final int MSGHDR_IOV = 16;
    static final int MSGHDR_IOVLEN = 24;
    static final int MSGHDR_CONTROL = 32;
    static final int MSGHDR_CONTROLLEN = 40;
    static final int MSGHDR_FLAGS = 48;
    static final int MMSGHDR_LEN = 56;
    static final int MMSGHDR_SIZE = 64;
    /** struct iovec: base pointer, length. */
    static final int IOVEC_SIZE = 16;
    /** struct cmsghdr (LP64): cmsg_len (size_t), level, type; data at 16. */
    static final int CMSG_LEVEL = 8;
    static final int CMSG_TYPE = 12;
    static final int CMSG_DATA = 16;
    /** CMSG_SPACE(4): the room one control message of an int takes (16 + 8, aligned). */
    static final int CMSG_SPACE_INT = 24;
    /** CMSG_LEN(2): the exact length of a UDP_SEGMENT control message (a u16), which the kernel checks. */
    static final int CMSG_LEN_U16 = 18;
    /** The most iovecs one call takes (UIO_MAXIOV). */
    static final int IOV_MAX = 1024;

    // setsockopt(2)
    static final int IPPROTO_IP = 0;
    static final int IP_MTU_DISCOVER = 10;
    static final int IP_PMTUDISC_DO = 2;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int IP_DROP_MEMBERSHIP = 36;
    static final int IP_MULTICAST_ALL = 49;
    /** struct ip_mreqn: group, local address (both network order), interface index. */
    static final int IP_MREQN_SIZE = 12;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_REUSEPORT = 15;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_ERROR = 4;
    static final int SO_NO_CHECK = 11;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;

    // struct sockaddr_in
    static final int SOCKADDR_IN_SIZE = 16;

    // ioctl(2) on network devices; struct ifreq is 40 bytes on LP64 (16 name + 24 union)
    static final int IFNAMSIZ = 16;
    static final int IFREQ_SIZE = 40;
    static final long TUNSETIFF = 0x400454caL;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCSIFHWADDR = 0x8924;
    static final long SIOCGIFHWADDR = 0x8927;
    static final short IFF_UP = 0x1;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_TUN_EXCL = (short) 0x8000;
    static final short IFF_VNET_HDR = 0x4000;
    static final short IFF_MULTI_QUEUE = 0x0100;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETVNETHDRSZ = 0x800454d7L;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final short ARPHRD_ETHER = 1;

    // errno values (asm-generic)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOPROTOOPT = 92;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int EPROTO = 71;
    static final int EBADFD = 77;
    static final int EMSGSIZE = 90;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETDOWN = 100;
    static final int ENETUNREACH = 101;
    static final int ENOBUFS = 105;
    static final int ECONNREFUSED = 111;
    static final int EHOSTDOWN = 112;
    static final int EHOSTUNREACH = 113;

    private LibC() {
    }

    static native int open(String path, int flags);

    static native int close(int fd);

    static native long read(int fd, long buf, long count);

    static native long write(int fd, long buf, long count);

    static native int poll(long fds, long nfds, int timeoutMillis);

    static native int ioctl(int fd, long request, long argp);

    static native int eventfd(int initval, int flags);

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, long addr, int addrlen);

    static native int setsockopt(int fd, int level, int optname, long optval, int optlen);

    static native int getsockopt(int fd, int level, int optname, long optval, long optlenOut);

    static native long recv(int fd, long buf, long len, int flags);

    static native long recvfrom(int fd, long buf, long len, int flags, long srcAddr, long addrlenInOut);

    static native long sendto(int fd, long buf, long len, int flags, long destAddr, int addrlen);

    static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);

    static native long recvmsg(int fd, long msg, int flags);

    static native int sendmmsg(int fd, long msgvec, int vlen, int flags);

    static native long writev(int fd, long iov, int iovcnt);

    static native long memcpy(long dest, long src, long n);

    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(long addr, long length);

    /** memset(b + position, c, n); with n = 0 it only returns the address: see {@link #addressOf(Buffer)}. */
    static native long memset(Buffer b, int c, long n);

    static native int if_nametoindex(String name);

    /** getpriority(2): with PRIO_PROCESS (0) and who 0, on Linux the calling thread's nice value. */
    static native int getpriority(int which, int who);

    /** syscall(2), for the calls glibc 2.36 has no wrapper for (sched_setattr). */
    static native long syscall(long number, long a1, long a2, long a3);

    static native String strerror(int errnum);

    /**
     * The native address of element 0 of a direct buffer, without allocating: JNA passes a
     * direct {@link Buffer} argument as its address <em>plus its position</em>, and
     * {@code memset(p, 0, 0)} returns {@code p}. The position is read before and after the call
     * so that a concurrent change of the position (a caller's bug) cannot yield a wrong address.
     */
    static long addressOf(Buffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        for (;;) {
            int before = direct.position();
            long address = memset(direct, 0, 0);
            if (direct.position() == before) {
                return address - before;
            }
        }
    }

    /** The operator's text for errno: "Operation not permitted". */
    static String errorText(int errno) {
        String text = strerror(errno);
        return text == null ? "errno " + errno : text;
    }

    static void requireSupportedPlatform() {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
            throw new UnsupportedOperationException("Overlay Gate native I/O needs 64-bit Linux (this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")");
        }
    }
}
