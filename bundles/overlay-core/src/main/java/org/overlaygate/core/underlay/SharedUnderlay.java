package org.overlaygate.core.underlay;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.core.device.Counters;
import org.overlaygate.core.device.DropReasons;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every underlay socket does the same way, whatever its transport: the receivers by vnet id,
 * the shared decapsulator, the counters, and the handling of one received packet (decapsulate,
 * demultiplex, deliver; every refusal counted, no exception escapes to the receive thread).
 */
abstract class SharedUnderlay implements UnderlaySocket {
    private static final Logger LOG = LoggerFactory.getLogger(SharedUnderlay.class);
    static final String DECAP_ERROR = "decap_error";
    static final String RECEIVE_ERROR = "receive_error";

    private final UnderlayKey key;
    private final NonBlockingHashMapLong<UnderlayReceiver> receivers = new NonBlockingHashMapLong<>();
    protected final Counters counters;
    private volatile Encapsulator decapsulator;

    SharedUnderlay(UnderlayKey key) {
        this.key = key;
        this.counters = new Counters(key.toString());
    }

    @Override
    public final UnderlayKey key() {
        return key;
    }

    @Override
    public final void attach(long vnetId, UnderlayReceiver r) throws DataPathException {
        UnderlayReceiver existing = receivers.putIfAbsent(vnetId, r);
        if (existing != null && existing != r) {
            throw new DataPathException("vnet id " + vnetId + " is already used on underlay " + key + " by " + existing);
        }
    }

    @Override
    public final void detach(long vnetId, UnderlayReceiver r) {
        receivers.remove(vnetId, r);
    }

    @Override
    public final int attached() {
        return receivers.size();
    }

    @Override
    public final void setDecapsulator(Encapsulator d) {
        this.decapsulator = d;
    }

    @Override
    public final DeviceStats.Counters stats() {
        return counters.snapshot();
    }

    /**
     * Handles one received packet whose encapsulation header starts at the buffer's position and
     * ends at its limit: decapsulates it and delivers the inner frame to the device of its vnet id.
     */
    final void receive(ByteBuffer buf, DecapResult result, InetAddress sender) {
        try {
            Encapsulator d = decapsulator;
            if (d == null) {
                counters.drop(DropReasons.NO_ENCAPSULATION);
            } else if (!d.decapsulate(buf, result)) {
                counters.drop(result.dropReason());
            } else {
                UnderlayReceiver r = receivers.get(result.vnetId());
                if (r == null) {
                    counters.drop(DropReasons.UNKNOWN_VNET);
                } else {
                    r.fromUnderlay(buf, buf.position(), buf.limit() - buf.position(), sender);
                }
            }
        } catch (RuntimeException e) {
            // a plugin bug must cost one packet, never the receive thread
            counters.drop(DECAP_ERROR);
            LOG.warn("underlay {}: packet dropped on an unexpected error", key, e);
        }
    }
}
