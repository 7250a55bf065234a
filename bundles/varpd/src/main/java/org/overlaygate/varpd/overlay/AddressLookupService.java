package org.overlaygate.varpd.overlay;

import java.net.InetAddress;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.AddressLookup;
import org.overlaygate.api.search.AddressCallback;
import org.overlaygate.api.search.AddressQuery;
import org.overlaygate.api.search.SearchInstance;

/**
 * overlay-api's {@link AddressLookup}: asks an overlay's search instance who has an address, as
 * the ARP/NDP proxy does for a frame ({@link AddressProxy}), for a router resolving a next hop. No
 * lock; an instance that is absent, does not proxy, or fails answers "unknown".
 */
@Component(service = AddressLookup.class)
public final class AddressLookupService implements AddressLookup {
    @Reference
    private OverlayManager manager;

    public AddressLookupService() {
    }

    AddressLookupService(OverlayManager manager) {
        this.manager = manager;
    }

    @Override
    public CompletionStage<OptionalLong> macOf(String overlay, InetAddress address, int vlan) {
        ManagedOverlay m = manager.overlay(overlay);
        if (m == null) {
            throw new IllegalArgumentException("no overlay " + overlay);
        }
        CompletableFuture<OptionalLong> answer = new CompletableFuture<>();
        SearchInstance instance = m.searchInstance;
        if (instance == null || !m.proxies()) {
            answer.complete(OptionalLong.empty());
            return answer;
        }
        try {
            instance.proxyAddress(new AddressQuery(m.definition.vnetId, address, vlan), new AddressCallback() {
                @Override
                public void answer(long mac) {
                    answer.complete(OptionalLong.of(mac));
                }

                @Override
                public void unknown() {
                    answer.complete(OptionalLong.empty());
                }
            });
        } catch (RuntimeException | LinkageError e) { // a plugin being replaced, or a bug in it
            answer.complete(OptionalLong.empty());
        }
        return answer;
    }
}
