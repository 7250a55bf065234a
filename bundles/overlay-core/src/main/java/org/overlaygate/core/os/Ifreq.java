package org.overlaygate.core.os;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A {@code struct ifreq} for the network-device ioctls (configuration time only: it allocates).
 * Interface names are checked here once, so that nothing odd reaches the kernel or a message.
 */
final class Ifreq {
    private static final int NAME = 0;
    private static final int UNION = LibC.IFNAMSIZ;

    final ByteBuffer buffer = ByteBuffer.allocateDirect(LibC.IFREQ_SIZE).order(ByteOrder.nativeOrder());
    final long address = LibC.addressOf(buffer);

    Ifreq(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        buffer.put(NAME, bytes, 0, bytes.length);
    }

    /**
     * Checks an interface name as the kernel would (dev_valid_name), restricted to the characters
     * an operator can type safely: 1-15 of [A-Za-z0-9_.-], not "." or "..".
     *
     * @throws IllegalArgumentException with a one-line message
     */
    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() >= LibC.IFNAMSIZ) {
            throw new IllegalArgumentException("bad interface name '" + name + "': 1 to 15 characters of A-Z a-z 0-9 _ . -");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("bad interface name '" + name + "': 1 to 15 characters of A-Z a-z 0-9 _ . -");
            }
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad interface name '" + name + "'");
        }
        return name;
    }

    void putShort(int unionOffset, short value) {
        buffer.putShort(UNION + unionOffset, value);
    }

    short getShort(int unionOffset) {
        return buffer.getShort(UNION + unionOffset);
    }

    void putInt(int unionOffset, int value) {
        buffer.putInt(UNION + unionOffset, value);
    }

    /** A pointer in the union (ifr_data), as SIOCETHTOOL takes its command. */
    void putLong(int unionOffset, long value) {
        buffer.putLong(UNION + unionOffset, value);
    }

    int getInt(int unionOffset) {
        return buffer.getInt(UNION + unionOffset);
    }

    /** ioctl(fd, request, &ifr); returns 0 or errno. */
    int ioctl(int fd, long request) {
        return LibC.ioctl(fd, request, address) < 0 ? Native.getLastError() : 0;
    }

    /** Reads ifr_hwaddr (a sockaddr: 2 bytes family, then the address bytes). */
    long hwaddr() {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (buffer.get(UNION + 2 + i) & 0xFF);
        }
        return mac;
    }

    void putHwaddr(long mac) {
        buffer.putShort(UNION, LibC.ARPHRD_ETHER);
        for (int i = 0; i < 6; i++) {
            buffer.put(UNION + 2 + i, (byte) (mac >>> (8 * (5 - i))));
        }
    }

    // ---- the operations the devices share; fd is a control socket (or a TUN fd for hwaddr) ----

    static long getMac(int fd, String name, String what) throws IOException {
        Ifreq ifr = new Ifreq(name);
        int errno = ifr.ioctl(fd, LibC.SIOCGIFHWADDR);
        if (errno != 0) {
            throw new IOException(what + ": cannot read MAC address: " + LibC.errorText(errno));
        }
        return ifr.hwaddr();
    }

    static void setMac(int fd, String name, String what, long mac) throws IOException {
        if ((mac & ~0xFFFF_FFFF_FFFFL) != 0 || (mac & 0x0100_0000_0000L) != 0 || mac == 0) {
            throw new IllegalArgumentException(what + ": cannot use " + String.format("%012x", mac)
                    + " as a MAC address: it must be a non-zero unicast address in the low 48 bits");
        }
        Ifreq ifr = new Ifreq(name);
        ifr.putHwaddr(mac);
        int errno = ifr.ioctl(fd, LibC.SIOCSIFHWADDR);
        if (errno != 0) {
            throw new IOException(what + ": cannot set MAC address: " + LibC.errorText(errno) + hint(errno));
        }
    }

    static int getMtu(int fd, String name, String what) throws IOException {
        Ifreq ifr = new Ifreq(name);
        int errno = ifr.ioctl(fd, LibC.SIOCGIFMTU);
        if (errno != 0) {
            throw new IOException(what + ": cannot read MTU: " + LibC.errorText(errno) + hint(errno));
        }
        return ifr.getInt(0);
    }

    static void setMtu(int fd, String name, String what, int mtu) throws IOException {
        Ifreq ifr = new Ifreq(name);
        ifr.putInt(0, mtu);
        int errno = ifr.ioctl(fd, LibC.SIOCSIFMTU);
        if (errno != 0) {
            throw new IOException(what + ": cannot set MTU " + mtu + ": " + LibC.errorText(errno) + hint(errno));
        }
    }

    static void setUp(int fd, String name, String what) throws IOException {
        Ifreq ifr = new Ifreq(name);
        int errno = ifr.ioctl(fd, LibC.SIOCGIFFLAGS);
        if (errno == 0) {
            ifr.putShort(0, (short) (ifr.getShort(0) | LibC.IFF_UP));
            errno = ifr.ioctl(fd, LibC.SIOCSIFFLAGS);
        }
        if (errno != 0) {
            throw new IOException(what + ": cannot bring up: " + LibC.errorText(errno) + hint(errno));
        }
    }

    static String hint(int errno) {
        switch (errno) {
            case LibC.EPERM:
            case LibC.EACCES:
                return " (needs root or CAP_NET_ADMIN)";
            case LibC.ENODEV:
                return " (no such device in this process's network namespace: configure it before moving it)";
            default:
                return "";
        }
    }

    /** A control socket (AF_INET datagram) for the name-based ioctls, in the calling thread's network namespace. */
    static int controlSocket(String what) throws IOException {
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException(what + ": cannot open a control socket: " + LibC.errorText(Native.getLastError()));
        }
        return fd;
    }
}
