/**
 * The Linux native I/O of the data path: the three kinds of endpoint where frames enter and leave
 * the appliance, driven by the switch and the underlay muxes with direct buffers and no per-packet
 * allocation. Private to overlay-core.
 *
 * <h2>The endpoints</h2>
 * <table>
 * <caption>native endpoints</caption>
 * <tr><th>class</th><th>carries</th><th>how</th></tr>
 * <tr><td>{@link org.overlaygate.core.os.TapDevice}</td><td>Ethernet frames of a VNIC</td>
 * <td>a TAP device this process creates on {@code /dev/net/tun} (IFF_TAP, IFF_NO_PI,
 * IFF_TUN_EXCL, not persistent: it disappears with its fds), optionally IFF_MULTI_QUEUE with an
 * fd per queue (the kernel puts each flow in one queue by its hash), optionally with a virtio_net_hdr in
 * front of every frame (IFF_VNET_HDR): then it hands over TCP segments of up to 64 KiB with partial
 * checksums (TUNSETOFFLOAD) and takes them too, written with writev from pieces</td></tr>
 * <tr><td>{@link org.overlaygate.core.os.PcapPort}</td><td>Ethernet frames of an existing
 * interface a VNIC is attached to</td><td>libpcap through pcap4j: inbound only, promiscuous,
 * immediate mode, injection with sendpacket</td></tr>
 * <tr><td>{@link org.overlaygate.core.os.RawIpSocket}</td><td>the NVGRE underlay (IP protocol
 * 47)</td><td>a raw AF_INET socket, DF set; the kernel adds the IP header, routes and resolves
 * neighbours (the class comment says why this beats pcap injection)</td></tr>
 * <tr><td>{@link org.overlaygate.core.os.UdpSocket}</td><td>the VXLAN underlay over IPv4</td>
 * <td>a UDP socket with the options the JDK cannot set: DF (IP_MTU_DISCOVER = DO), zero checksums
 * (SO_NO_CHECK), UDP_GRO and UDP_SEGMENT; also bound to a multicast group (SO_REUSEADDR,
 * IP_MULTICAST_ALL off)</td></tr>
 * </table>
 * {@link org.overlaygate.core.os.Multicast} joins and leaves IPv4 groups (IGMP) on UDP and raw
 * sockets and sets how datagrams to groups leave (interface, TTL, no loopback). Over IPv6 the
 * underlay uses the JDK's DatagramChannel, which can do all of that itself.
 *
 * <h2>One contract for all</h2>
 * {@code read}/{@code receive} wait up to a timeout for one frame or packet and copy it into a
 * <em>direct</em> buffer at an absolute index, leaving position and limit alone; they return the
 * length, 0 on timeout (and a negative code for a packet to drop: too big, malformed, empty). {@code write}/{@code send}
 * take [offset, offset+length) of a direct buffer and are thread-safe. One thread reads each
 * endpoint. What the kernel cannot take at the moment (queue full, device down) is refused: the
 * call returns false (and counts it in {@code droppedWrites()}), never throws, so a congested
 * device costs no exception per packet, and the caller counts the drop by its reason; real errors are IOExceptions with one line of text fit for an operator (errno via
 * strerror, libpcap's own text, a hint such as "needs root or CAP_NET_ADMIN").
 *
 * <h2>Many packets per call, and offloads</h2>
 * The two IP sockets also receive into a {@link org.overlaygate.core.os.RecvVector} (a buffer cut
 * into slots, and the native {@code mmsghdr} array pointing into it: many datagrams per recvmmsg,
 * or one per recvmsg, with their control messages; its memory is mapped with mmap and unmapped
 * by the receive thread after its last receive, {@link org.overlaygate.core.os.NativeMemory}, so a
 * closed socket gives its few hundred KiB back at once instead of leaving them in glibc's heap)
 * and send a
 * {@link org.overlaygate.core.os.SendVector} (many messages per sendmmsg, each with one or more
 * iovecs onto the caller's buffers, and a UDP_SEGMENT control message for a train of datagrams:
 * GSO). A send call returns how many messages the kernel took and, for a refusal, keeps the errno
 * in the vector: refusals are the caller's to count, never exceptions. Whether the kernel has a
 * feature is probed by its version ({@link org.overlaygate.core.os.Kernel}) and a real call
 * ({@code enableReceiveOffload}, {@code probeSendOffload}, {@code probeSegmentedWrites}), each
 * answering null or the reason, one line for the operator. Linux segments only datagrams that carry
 * a UDP checksum: a socket that sends trains does not send zero checksums
 * ({@link org.overlaygate.core.os.UdpSocket#setZeroChecksum}).
 *
 * <h2>No allocation per packet</h2>
 * The native calls use JNA <em>direct mapping</em> ({@code Native.register}) with primitive
 * arguments only: buffer addresses are {@code long}s (base address of the direct buffer, cached per
 * thread, plus the offset), errno comes from {@code Native.getLastError()}, and the few native
 * structures a call needs ({@code struct pollfd[2]}, {@code sockaddr_in}, libpcap's out parameters)
 * live in a small direct buffer per thread made once; the vectors and a
 * {@link org.overlaygate.core.os.GatherList} (iovecs for writev) are made once by the thread that
 * uses them. pcap4j only opens, configures and closes the
 * capture handle; packets go through libpcap directly. {@code NativeAllocationTest} measures the
 * bytes a thread allocates per round trip with {@code ThreadMXBean#getThreadAllocatedBytes}.
 *
 * <h2>Waiting and closing</h2>
 * Every fd is O_NONBLOCK: a call first tries the syscall and, on EAGAIN, waits in poll(2) on the
 * fd and on the channel's eventfd. {@code close()} may come from any thread: it marks the channel
 * closed, signals the eventfd (waking every waiter at once, which then throws
 * {@link java.nio.channels.ClosedChannelException}), waits for the threads inside an operation to
 * leave, and only then closes the fds, so no thread can ever touch a reused fd number
 * ({@code NativeChannel} explains the choice).
 *
 * <h2>Network namespaces</h2>
 * An fd keeps its namespace: a TAP device moved with {@code ip link set DEV netns NS} keeps
 * reading and writing (and its MAC can still be set through the TAP fd), but the name-based
 * configuration (MTU, up) must be done before the move. A {@code PcapPort} or
 * {@code RawIpSocket} belongs to the namespace of the thread that opened it.
 *
 * <h2>Platform</h2>
 * 64-bit Linux (x86_64, aarch64). In OSGi, JNA is its own bundle (the com.sun.jna packages are
 * imported); pcap4j-core, which is not a bundle, is embedded privately in overlay-core.
 */
package org.overlaygate.core.os;
