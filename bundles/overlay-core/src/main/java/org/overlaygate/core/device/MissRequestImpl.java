package org.overlaygate.core.device;

import java.util.List;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.search.LookupRequest;

/** A miss of one cache entry, answered through the device. */
public final class MissRequestImpl implements MissRequest {
    private final Device device;
    final CacheEntry entry;
    private final LookupRequest request;

    MissRequestImpl(Device device, CacheEntry entry, LookupRequest request) {
        this.device = device;
        this.entry = entry;
        this.request = request;
    }

    @Override
    public String deviceName() {
        return device.name();
    }

    @Override
    public LookupRequest request() {
        return request;
    }

    @Override
    public void respond(UnderlayAddress destination) {
        device.answer(entry, new UnderlayAddress[] {destination});
    }

    @Override
    public void respondAll(List<UnderlayAddress> destinations) {
        device.answer(entry, destinations.toArray(new UnderlayAddress[0]));
    }

    @Override
    public void drop(String reason) {
        device.answerDrop(entry);
    }

    @Override
    public String toString() {
        return device.name() + ": " + request;
    }
}
