package org.overlaygate.varpd.overlay;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

import org.overlaygate.api.datapath.AddressRequest;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.search.AddressCallback;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.varpd.proxy.AddressQuery;
import org.overlaygate.varpd.proxy.ProxyFrames;
import org.overlaygate.varpd.proxy.Result;

/**
 * Answers the data path's address requests by proxy: checks the frame fully (the data path only
 * picked it by a few bytes), asks the overlay's search instance who has the address, and gives the
 * device the ARP reply or neighbour advertisement to deliver to the asker. Questions a proxy must
 * not answer (a probe, duplicate address detection, a unicast reachability check) and addresses
 * the plugin does not know are counted and dropped: the asker tries again, and on a proxying
 * overlay nothing else would answer it.
 */
final class AddressProxy {
    static final String MALFORMED = "proxy_malformed";
    static final String NOT_PROXIED = "proxy_not_answered_kind";
    static final String UNKNOWN = "proxy_unknown";
    static final String NO_INSTANCE = "proxy_no_plugin";

    private AddressProxy() {
    }

    static void handle(ManagedOverlay overlay, AddressRequest request) {
        OverlayDevice device = overlay.device;
        if (device == null) {
            return;
        }
        ByteBuffer frame = request.frame();
        Result<AddressQuery> parsed = ProxyFrames.parse(frame);
        if (!parsed.ok()) {
            device.countEvent(MALFORMED);
            return;
        }
        AddressQuery query = parsed.value();
        if (!query.kind().proxied()) {
            device.countEvent(NOT_PROXIED);
            return;
        }
        SearchInstance instance = overlay.searchInstance;
        if (instance == null || !overlay.proxies()) {
            device.countEvent(NO_INSTANCE); // the plugin is being replaced: the asker will ask again
            return;
        }
        org.overlaygate.api.search.AddressQuery asked =
                new org.overlaygate.api.search.AddressQuery(request.vnetId(), query.target(), query.vlanId());
        instance.proxyAddress(asked, new AddressCallback() {
            private final AtomicBoolean done = new AtomicBoolean(); // a plugin answers once; a second answer is ignored

            @Override
            public void answer(long mac) {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                Result<byte[]> reply = ProxyFrames.reply(query, mac);
                if (reply.ok()) {
                    device.deliverProxyReply(ByteBuffer.wrap(reply.value()));
                } else {
                    device.countEvent(MALFORMED);
                }
            }

            @Override
            public void unknown() {
                if (done.compareAndSet(false, true)) {
                    device.countEvent(UNKNOWN);
                }
            }
        });
    }
}
