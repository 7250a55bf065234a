package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A port on an overlay whose far side is a {@link PortHandler} rather than a VM: what an overlay
 * delivers to the port's MAC (and every broadcast) reaches the handler on the data-path thread
 * without a copy, and frames sent through the port take the very path a VNIC's frames take: local
 * switching, the target cache, misses, flooding, the overlay's encapsulation. Counted like a VNIC
 * ({@link #stats()}). Thread-safe.
 *
 * @since 2.2
 */
@ProviderType
public interface AttachedPort extends AutoCloseable {
    /** The bytes a caller of {@link #sendInPlace} keeps free in front of the frame, for the encapsulation header. */
    int HEADROOM = 64;

    String name();

    long mac();

    /**
     * The port's VLAN ({@link OverlayDevice#attachPort(String, long, boolean, int, PortHandler)}), or
     * {@link VnicConfig#NO_VLAN}.
     *
     * @since 2.3
     */
    int vlan();

    /** The overlay the port is on. */
    OverlayDevice overlay();

    /**
     * Sends a frame (the buffer's position to its limit, any buffer) into the overlay, copied
     * first. Frames that cannot be sent are dropped and counted, never thrown.
     */
    void send(ByteBuffer frame);

    /**
     * Sends a frame without copying it: [offset, offset+length) of a direct buffer with
     * {@link #HEADROOM} bytes in front of it that belong to the caller. Until this returns, the
     * data path may write into those bytes and into the frame (it removes an inner VLAN tag where
     * the encapsulation carries none); the caller must not touch them meanwhile.
     */
    void sendInPlace(ByteBuffer direct, int offset, int length);

    /** The port's counters: in = frames sent into the overlay through it, out = frames handed to its handler, and drops. */
    DeviceStats.Counters stats();

    /** Detaches the port; its handler is called no more once this returns. Idempotent. */
    @Override
    void close();
}
