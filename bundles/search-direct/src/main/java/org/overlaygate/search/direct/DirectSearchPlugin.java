package org.overlaygate.search.direct;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;

/** Registers the {@code direct} point-to-point search plugin. */
@Component(service = SearchPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + DirectSearchPlugin.NAME)
public final class DirectSearchPlugin implements SearchPlugin {
    static final String NAME = "direct";
    static final String DEST_IP = "direct/dest_ip";
    static final String DEST_PORT = "direct/dest_port";

    private static final PropertySpec DEST_IP_SPEC = PropertySpec.builder(DEST_IP, PropertyType.IP).required().unicast()
            .description("underlay address of the other end").build();
    private static final PropertySpec DEST_PORT_SPEC = PropertySpec.builder(DEST_PORT, PropertyType.UINT).range(1, 65535).required()
            .description("underlay UDP port of the other end (UDP encapsulations only)").build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SearchMode mode() {
        return SearchMode.POINT;
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(DEST_IP_SPEC, DEST_PORT_SPEC);
    }

    /** A port only makes sense, and is then required, when the encapsulation runs over UDP. */
    @Override
    public List<PropertySpec> properties(UnderlayTransport transport) {
        return transport.kind() == UnderlayTransport.Kind.UDP ? properties() : List.of(DEST_IP_SPEC);
    }

    @Override
    public SearchInstance create(SearchContext context, PropertyValues values) {
        int port = values.has(DEST_PORT) ? values.getInt(DEST_PORT) : 0;
        UnderlayAddress destination = UnderlayAddress.of(values.getAddress(DEST_IP), port);
        return new DirectSearchInstance(destination);
    }

    /** A fixed destination; nothing to start or stop. */
    static final class DirectSearchInstance implements SearchInstance {
        private final UnderlayAddress destination;

        DirectSearchInstance(UnderlayAddress destination) {
            this.destination = destination;
        }

        @Override
        public void start() {
        }

        @Override
        public void stop() {
        }

        @Override
        public UnderlayAddress pointDestination() {
            return destination;
        }
    }
}
