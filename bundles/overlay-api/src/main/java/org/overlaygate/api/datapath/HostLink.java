package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A network interface of the host opened for a service of the appliance rather than for a VM: a
 * router's uplink to the outside. It is either a TAP device the data path created (the host's
 * stack is its far side: the operator gives it an address and routes or NATs behind it; it is
 * removed when the link is closed) or an existing interface attached through pcap, as attached
 * VNICs are (promiscuous; frames the host sends itself are not read). Every frame read from it goes
 * to its {@link HostLinkHandler} on the link's own reader thread; frames sent are written to it
 * whole. Not part of any overlay: nothing is encapsulated or switched. Counted like a VNIC
 * ({@link #stats()}): in = frames read, out = frames written. Thread-safe.
 *
 * @since 2.4
 */
@ProviderType
public interface HostLink extends AutoCloseable {

    /** The interface's name on the host. */
    String osName();

    /** Whether the data path created it as a TAP device (and removes it when closed), rather than attaching an existing interface. */
    boolean createdTap();

    /** The host side's MAC: the TAP device's, or the attached interface's. */
    long hostMac();

    /** The interface's MTU: the largest IP packet a frame sent through it may carry. */
    int mtu();

    /**
     * Writes one frame, [offset, offset+length) of a direct buffer, to the interface. A frame that
     * cannot be written (the device's queue is full, it is down, it is longer than the MTU allows)
     * is dropped and counted, never thrown.
     */
    void send(ByteBuffer direct, int offset, int length);

    /** The link's counters: in = frames read (handed to the handler), out = frames written, and drops. */
    DeviceStats.Counters stats();

    /** Stops the reader and closes the interface (removing the TAP device it created); the handler is called no more once this returns. Idempotent. */
    @Override
    void close();
}
