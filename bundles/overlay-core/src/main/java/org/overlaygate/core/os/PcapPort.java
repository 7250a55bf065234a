package org.overlaygate.core.os;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.overlaygate.core.base.DropReasons;

/**
 * An existing interface attached through pcap4j: captures INBOUND frames only (pcap direction IN,
 * so the appliance never reads its own injections, nor what the host itself sends), promiscuous,
 * immediate mode; injects with pcap sendpacket.
 *
 * <p>pcap4j opens, configures (snap length, promiscuous, immediate mode, direction, non-blocking)
 * and finally closes the {@code pcap_t}; the per-packet calls go straight to libpcap
 * ({@link PcapNative}) with the handle pointer, because pcap4j's packet methods allocate a
 * {@code byte[]} per frame. No pcap4j packet parsing is used: raw bytes in and out.
 *
 * <p>Threading: one thread reads ({@code pcap_next_ex} is not thread-safe); any number of
 * threads may write at once: on Linux {@code pcap_sendpacket} is one {@code send(2)} on the
 * capture socket, and failures are reported from errno, not from the handle's shared error
 * buffer. {@link #close()} wakes a waiting reader at once (see {@link NativeChannel}).
 *
 * <p>The interface is looked up in the network namespace of the thread that opens the port; the
 * port keeps working from any thread afterwards.
 */
public final class PcapPort extends NativeChannel {
    private static final int SNAPLEN = 65535;
    private static final int BUFFER_BYTES = 4 << 20;

    private final String name;
    private final PcapHandle handle;
    private final long pcap;
    private final int selectableFd;
    private final int controlFd;
    private final AtomicLong droppedReads = new AtomicLong();
    private final AtomicLong linkDownEvents = new AtomicLong();

    private PcapPort(String name, PcapHandle handle, long pcap, int selectableFd, int controlFd) throws IOException {
        this.name = name;
        this.handle = handle;
        this.pcap = pcap;
        this.selectableFd = selectableFd;
        this.controlFd = controlFd;
    }

    /** Attaches to an existing Ethernet interface; a clear one-line IOException for an unknown interface or missing permission. */
    public static PcapPort open(String interfaceName) throws IOException {
        LibC.requireSupportedPlatform();
        Ifreq.checkName(interfaceName);
        String what = "cannot attach to interface " + interfaceName;
        if (LibC.if_nametoindex(interfaceName) == 0) {
            throw new IOException(what + ": no such network interface");
        }
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(SNAPLEN)
                    .promiscuousMode(PromiscuousMode.PROMISCUOUS)
                    .immediateMode(true)
                    .bufferSize(BUFFER_BYTES)
                    .direction(PcapHandle.PcapDirection.IN)
                    .build();
        } catch (PcapNativeException e) {
            throw new IOException(what + ": " + pcapMessage(e.getMessage()));
        }
        int controlFd = -1;
        try {
            if (!DataLinkType.EN10MB.equals(handle.getDlt())) {
                throw new IOException(what + ": not an Ethernet interface (link type " + handle.getDlt() + ")");
            }
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            long pcap = Pointer.nativeValue(handlePointer(handle));
            int selectableFd = PcapNative.pcap_get_selectable_fd(pcap);
            if (selectableFd < 0) {
                throw new IOException(what + ": libpcap gives no selectable fd for it");
            }
            controlFd = Ifreq.controlSocket(what);
            return new PcapPort(interfaceName, handle, pcap, selectableFd, controlFd);
        } catch (PcapNativeException | NotOpenException e) {
            cleanUp(handle, controlFd);
            throw new IOException(what + ": " + pcapMessage(e.getMessage()));
        } catch (IOException | RuntimeException | Error e) {
            cleanUp(handle, controlFd);
            throw e;
        }
    }

    private static void cleanUp(PcapHandle handle, int controlFd) {
        if (controlFd >= 0) {
            LibC.close(controlFd);
        }
        handle.close();
    }

    /** pcap4j keeps the pcap_t* private; this bundle embeds exactly pcap4j 1.8.2, whose field is "handle". */
    private static Pointer handlePointer(PcapHandle handle) throws IOException {
        try {
            Field field = PcapHandle.class.getDeclaredField("handle");
            field.setAccessible(true);
            return (Pointer) field.get(handle);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("unsupported pcap4j version: cannot reach the pcap handle (" + e + ")");
        }
    }

    /** libpcap's text on one line, with a hint when it is about permissions. */
    private static String pcapMessage(String message) {
        String text = message == null ? "unknown libpcap error" : message.replaceAll("\\s+", " ").trim();
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("permission") || lower.contains("not permitted")) {
            text += " (needs root or CAP_NET_RAW)";
        }
        return text;
    }

    public String name() {
        return name;
    }

    @Override
    String description() {
        return "interface " + name;
    }

    public long macAddress() throws IOException {
        enter();
        try {
            return Ifreq.getMac(controlFd, name, description());
        } finally {
            exit();
        }
    }

    /**
     * Frames captured but dropped here because they did not fit the room left in the caller's
     * buffer, or were cut by the snap length. (Frames the kernel dropped because the capture ring
     * was full are in libpcap's statistics, not here.)
     */
    public long droppedReads() {
        return droppedReads.get();
    }

    /** Same contract as {@link TapDevice#read}. */
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        long address = checkedAddress(direct, offset, 0) + offset;
        int room = direct.capacity() - offset;
        enter();
        try {
            long deadline = deadline(timeoutMillis);
            NativeChannel.Scratch scratch = scratch();
            ByteBuffer s = scratch.buffer;
            boolean pendingError = false;
            for (;;) {
                int r = PcapNative.pcap_next_ex(pcap, scratch.address + SCRATCH_OUT0, scratch.address + SCRATCH_OUT1);
                if (r == 1) {
                    long header = s.getLong(SCRATCH_OUT0);
                    long data = s.getLong(SCRATCH_OUT1);
                    LibC.memcpy(scratch.address + SCRATCH_WORD, header + PcapNative.PKTHDR_CAPLEN, 8);
                    int caplen = s.getInt(SCRATCH_WORD);
                    int len = s.getInt(SCRATCH_WORD + 4);
                    if (caplen != len || caplen > room) {
                        droppedReads.incrementAndGet();
                        continue;
                    }
                    LibC.memcpy(address, data, caplen);
                    return caplen;
                }
                if (r == 0 || r == -2) {
                    if (pendingError) {
                        pendingError = false;
                        checkSocketError();
                    }
                    int revents = awaitReadable(selectableFd, deadline, timeoutMillis < 0);
                    if (revents == 0) {
                        return 0;
                    }
                    // Defensive: should poll report an error condition on the capture socket that
                    // libpcap's non-blocking ring read does not consume (it does report a deleted
                    // interface itself), take it here once no frame is left, so that a pending
                    // error can never turn this wait into a busy loop.
                    pendingError = (revents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0;
                } else {
                    if (interfaceGone()) {
                        throw new IOException(description() + " is gone (deleted, or its network namespace was removed)");
                    }
                    long message = PcapNative.pcap_geterr(pcap);
                    throw new IOException(description() + ": capture failed: "
                            + (message == 0 ? "libpcap error " + r : pcapMessage(new Pointer(message).getString(0))));
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * Takes the capture socket's pending error (SO_ERROR, which also clears it). The kernel sets
     * ENETDOWN both when the interface goes down and when it is deleted: down is not an error (the
     * capture resumes when it comes up, so the reader just keeps waiting), deleted is.
     */
    private void checkSocketError() throws IOException {
        NativeChannel.Scratch scratch = scratch();
        scratch.buffer.putInt(SCRATCH_OUT0, 0);
        scratch.buffer.putInt(SCRATCH_OUT1, 4);
        if (LibC.getsockopt(selectableFd, LibC.SOL_SOCKET, LibC.SO_ERROR, scratch.address + SCRATCH_OUT0,
                scratch.address + SCRATCH_OUT1) < 0) {
            throw error("capture", Native.getLastError());
        }
        int errno = scratch.buffer.getInt(SCRATCH_OUT0);
        if (interfaceGone()) {
            throw new IOException(description() + " is gone (deleted, or its network namespace was removed)");
        }
        if (errno == LibC.ENETDOWN) {
            linkDownEvents.incrementAndGet();
        } else if (errno != 0) {
            throw error("capture", errno);
        }
    }

    /** True when the interface no longer exists in the namespace the port was opened in. */
    private boolean interfaceGone() {
        Ifreq ifr = new Ifreq(name);
        int errno = ifr.ioctl(controlFd, LibC.SIOCGIFFLAGS);
        return errno == LibC.ENODEV || errno == LibC.ENXIO;
    }

    /** How often the capture socket reported its interface down (ENETDOWN) while this port waited. */
    long linkDownEvents() {
        return linkDownEvents.get();
    }

    /**
     * Injects one frame: bytes [offset, offset+length) of a direct buffer. Thread-safe. A frame the
     * interface cannot take now (down: ENETDOWN; queue full: EAGAIN/ENOBUFS) is dropped and
     * counted in {@link #droppedWrites()}.
     */
    public String write(ByteBuffer direct, int offset, int length) throws IOException {
        long address = checkedAddress(direct, offset, length) + offset;
        enter();
        try {
            for (;;) {
                if (PcapNative.pcap_sendpacket(pcap, address, length) == 0) {
                    return null;
                }
                int errno = Native.getLastError();
                if (errno == LibC.EAGAIN || errno == LibC.ENOBUFS || errno == LibC.ENETDOWN) {
                    countDroppedWrite();
                    return errno == LibC.ENETDOWN ? DropReasons.VNIC_DOWN : DropReasons.DELIVERY_QUEUE_FULL;
                }
                if (errno != LibC.EINTR) {
                    throw error("inject " + length + " bytes", errno);
                }
            }
        } finally {
            exit();
        }
    }

    @Override
    void closeResources() {
        LibC.close(controlFd);
        handle.close();
    }

    @Override
    public String toString() {
        return description();
    }
}
