package org.overlaygate.invalidation.shootdown;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.invalidation.InvalidationContext;
import org.overlaygate.api.invalidation.InvalidationInstance;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;

/**
 * Registers {@code shootdown}: katar's SHOOTDOWN datagram between hosts. Keeps one listening
 * socket per (underlay address, port), shared by the overlays that listen there.
 */
@Component(service = InvalidationPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + ShootdownPlugin.NAME)
public final class ShootdownPlugin implements InvalidationPlugin {
    static final String NAME = "shootdown";
    static final String PORT = "shootdown/port";
    static final String MAX_RATE = "shootdown/max_rate";
    static final int DEFAULT_PORT = 1339;

    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(PORT, PropertyType.UINT).range(1, 65535).defaultValue(Integer.toString(DEFAULT_PORT))
                    .description("UDP port SHOOTDOWN datagrams are sent to and received on (every host of the overlay uses the same),"
                            + " on the overlay's underlay address").build(),
            PropertySpec.builder(MAX_RATE, PropertyType.UINT).range(1, 1_000_000).defaultValue("100")
                    .description("most invalidations a second other hosts may cause on this overlay (bursts of as many);"
                            + " more are counted and ignored").build());

    private final Map<InetSocketAddress, ShootdownSocket> sockets = new HashMap<>();
    private final Map<ShootdownSocket, Integer> users = new HashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PropertySpec> properties() {
        return PROPERTIES;
    }

    @Override
    public InvalidationInstance create(InvalidationContext context, PropertyValues values) {
        return new Shootdown(context, this, values.getInt(PORT), values.getInt(MAX_RATE));
    }

    /**
     * The socket listening on {@code address}, bound now if no overlay uses it yet.
     *
     * @throws java.io.IOException when it cannot be bound
     */
    synchronized ShootdownSocket acquire(InetSocketAddress address) throws java.io.IOException {
        ShootdownSocket s = sockets.get(address);
        if (s == null) {
            s = new ShootdownSocket(address);
            sockets.put(address, s);
        }
        users.merge(s, 1, Integer::sum);
        return s;
    }

    synchronized void release(ShootdownSocket s) {
        Integer n = users.get(s);
        if (n == null) {
            return;
        }
        if (n > 1) {
            users.put(s, n - 1);
            return;
        }
        users.remove(s);
        sockets.values().remove(s);
        s.close();
    }

    @Deactivate
    synchronized void deactivate() {
        sockets.values().forEach(ShootdownSocket::close);
        sockets.clear();
        users.clear();
    }
}
