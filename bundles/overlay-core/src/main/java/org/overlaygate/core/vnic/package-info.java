/**
 * VNICs: the ports of a device's switch. A {@link org.overlaygate.core.vnic.PortVnic} reads its
 * OS side (TAP or pcap) on its own thread, several frames per wake-up, and sends what they become
 * in batches; a {@link org.overlaygate.core.vnic.MemoryVnic} is driven by its caller.
 *
 * <h2>TAP offloads</h2>
 * A TAP VNIC with a vnet header takes the kernel's offloads both ways. From the VM's stack it
 * receives TCP segments of up to 64 KiB with partial checksums (tap_tso), which the
 * {@link org.overlaygate.core.vnic.TcpSegmenter} cuts into MSS-sized frames as the kernel's GSO
 * would, building them one after the other so that a batch sends them as one UDP GSO train. To the
 * VM's stack it writes the TCP segments of one flow that arrived together as one large segment
 * (tap_gro): the {@link org.overlaygate.core.vnic.TcpCoalescer}, one per receive thread, checks
 * every segment's checksums and merges only what the kernel's GRO would (in sequence, same headers,
 * ACK and PSH only), writing the result with writev from where the segments were received. A frame
 * that cannot be merged is written alone and unchanged, and no flow's order ever changes. Without
 * the offloads a TAP VNIC reads and writes whole frames, as an interface attached through pcap does.
 *
 * <h2>TAP queues</h2>
 * A TAP VNIC of several queues (tapQueues) reads them in turns of up to 64 KiB
 * ({@link org.overlaygate.core.vnic.QueueRoundRobin}), and its reader sends its batch whenever the
 * queue changes, so that a small flow waits behind one turn of a bulk flow at most; it writes each
 * frame through the queue of its flow's hash, which the kernel then uses for that flow's answers.
 */
package org.overlaygate.core.vnic;
