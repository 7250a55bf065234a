package org.overlaygate.varpd.overlay;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.search.DhcpHint;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.varpd.dhcp.DhcpConfig;
import org.overlaygate.varpd.dhcp.DhcpService;

/**
 * Shows varpd's overlays to the {@link DhcpService}, and tells it when one was reconciled (its
 * device or search instance may have changed), when its properties or VNICs changed, and when it
 * was deleted. Called under the overlay's monitor.
 */
final class DhcpBinding {
    private final DhcpService service;
    private final Overlays state;

    DhcpBinding(DhcpService service, Overlays state) {
        this.service = service;
        this.state = state;
    }

    DhcpService service() {
        return service;
    }

    void sync(ManagedOverlay m) {
        if (m.deleted) {
            return;
        }
        service.sync(new DhcpService.Overlay() {
            @Override
            public String name() {
                return m.name();
            }

            @Override
            public long vnetId() {
                return m.definition.vnetId;
            }

            @Override
            public int mtu() {
                return m.definition.mtu;
            }

            @Override
            public Map<String, String> properties() {
                return m.definition.properties;
            }

            @Override
            public OverlayDevice device() {
                return m.device;
            }

            @Override
            public boolean proxiesDhcp() {
                SearchInstance i = m.searchInstance;
                return i != null && i.proxiesDhcp();
            }

            @Override
            public CompletionStage<DhcpHint> hint(long mac, int vlan) {
                SearchInstance i = m.searchInstance;
                return i == null ? CompletableFuture.completedFuture(DhcpHint.NONE) : i.dhcpHint(mac, vlan);
            }

            @Override
            public CompletionStage<Long> ownerOf(int address, int vlan) {
                SearchInstance i = m.searchInstance;
                CompletableFuture<Long> owner = new CompletableFuture<>();
                if (i == null || !m.proxies()) {
                    owner.complete(0L);
                    return owner;
                }
                java.net.InetAddress ip;
                try {
                    ip = java.net.InetAddress.getByAddress(java.nio.ByteBuffer.allocate(4).putInt(address).array());
                } catch (java.net.UnknownHostException e) {
                    owner.complete(0L);
                    return owner;
                }
                i.proxyAddress(new org.overlaygate.api.search.AddressQuery(m.definition.vnetId, ip, vlan),
                        new org.overlaygate.api.search.AddressCallback() {
                            @Override
                            public void answer(long mac) {
                                owner.complete(mac);
                            }

                            @Override
                            public void unknown() {
                                owner.complete(0L);
                            }
                        });
                return owner;
            }

            @Override
            public Set<Integer> vnicVlans() {
                return state.vnics.values().stream().filter(v -> v.overlay.equals(m.name()) && v.vlan != VnicConfig.NO_VLAN)
                        .map(v -> v.vlan).collect(Collectors.toSet());
            }
        });
    }

    void deleted(String name) {
        service.removed(name);
    }

    /** Whether a property is DHCP's rather than a plugin's. */
    static boolean isDhcp(String key) {
        return DhcpConfig.isDhcpKey(key);
    }
}
