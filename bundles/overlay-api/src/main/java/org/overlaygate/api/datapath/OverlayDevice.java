package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.search.SearchMode;

/** One overlay in the data path. Thread-safe. */
@ProviderType
public interface OverlayDevice {

    String name();

    long vnetId();

    int mtu();

    SearchMode mode();

    /**
     * Gives the device its encapsulation and underlay socket address, or replaces them when the
     * plugin was updated. Frames keep flowing across a replacement: the device switches to the
     * new encapsulator atomically.
     *
     * @param listen the local address (and port, for UDP) to receive on and send from
     * @throws DataPathException when the underlay socket cannot be opened, or another device
     *     already has this vnet id on it
     */
    void setEncapsulation(EncapsulationPlugin plugin, Encapsulator encapsulator, UnderlayAddress listen) throws DataPathException;

    /** The encapsulation plugin's name, or {@code null} when none was set. */
    String encapsulationName();

    /** The underlay address the device receives on, or {@code null} before {@link #setEncapsulation}. */
    UnderlayAddress listenAddress();

    /**
     * The one destination of a {@link SearchMode#POINT} device; {@code null} means none is known
     * (frames are dropped as {@code no_destination}).
     */
    void setPointDestination(UnderlayAddress destination);

    UnderlayAddress pointDestination();

    /** Installs or replaces a VALID cache entry; frames queued on it are sent. */
    void setTarget(long mac, UnderlayAddress destination);

    /** Removes a cache entry; the next frame to {@code mac} is a miss. */
    void invalidate(long mac);

    /** Removes every cache entry. */
    void flushTargets();

    /** A snapshot of the target cache, sorted by MAC. */
    List<TargetEntry> targets();

    /** Delivers an Ethernet frame (position to limit) to the device's VNICs as if from the underlay. */
    void deliverLocally(ByteBuffer frame);

    /** A snapshot of the device's counters and those of its VNICs. */
    DeviceStats stats();

    /**
     * Calls {@code listener} with a copy of every inner frame the device switches (from VNICs and
     * from the underlay) until the returned handle is closed. Copies are made only while someone
     * listens.
     */
    AutoCloseable snoop(Consumer<SnoopedFrame> listener);

    /**
     * Tells the device where to report unicast frames that arrived from the underlay for a MAC that
     * is not here (rate-limited): an invalidation plugin tells the sender its mapping is stale.
     * {@code null} removes the handler.
     */
    void setStaleTargetHandler(StaleTargetHandler handler);
}
