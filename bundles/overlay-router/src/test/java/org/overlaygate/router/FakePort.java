package org.overlaygate.router;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;

/** An attached port that keeps a copy of every frame sent through it, on an overlay that has only a name and an MTU. */
class FakePort implements AttachedPort {
    final String overlayName;
    final long mac;
    final OverlayDevice device;
    final List<byte[]> sent = new ArrayList<>();
    /** When set, frames are counted, not copied (for the allocation test). */
    boolean discard;
    long discarded;

    FakePort(String overlay, long mac, int mtu) {
        this.overlayName = overlay;
        this.mac = mac;
        Integer boxedMtu = mtu; // boxed once: the proxy must not allocate on the path under test
        this.device = (OverlayDevice) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {OverlayDevice.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "name":
                            return overlay;
                        case "mtu":
                            return boxedMtu;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "toString":
                            return "overlay " + overlay;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Override
    public String name() {
        return "fake." + overlayName;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int vlan() {
        return org.overlaygate.api.datapath.VnicConfig.NO_VLAN;
    }

    @Override
    public OverlayDevice overlay() {
        return device;
    }

    @Override
    public synchronized void send(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.duplicate().get(b);
        sent.add(b);
    }

    @Override
    public synchronized void sendInPlace(ByteBuffer direct, int offset, int length) {
        if (!direct.isDirect() || offset < HEADROOM) {
            throw new IllegalArgumentException("no headroom");
        }
        if (discard) {
            discarded++;
            return;
        }
        byte[] b = new byte[length];
        direct.get(offset, b);
        sent.add(b);
    }

    synchronized List<byte[]> take() {
        List<byte[]> out = new ArrayList<>(sent);
        sent.clear();
        return out;
    }

    synchronized byte[] only() {
        if (sent.size() != 1) {
            throw new AssertionError("expected one frame on " + overlayName + ", got " + sent.size());
        }
        return take().get(0);
    }

    @Override
    public synchronized DeviceStats.Counters stats() {
        return new DeviceStats.Counters(name(), sent.size(), 0, 0, 0, java.util.Map.of());
    }

    @Override
    public void close() {
    }
}
