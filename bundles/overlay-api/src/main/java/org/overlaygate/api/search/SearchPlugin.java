package org.overlaygate.api.search;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;

/**
 * A search plugin (direct, multicast, katar): a factory of per-overlay {@link SearchInstance}s.
 * Registered as a DS service with {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME}.
 */
@ConsumerType
public interface SearchPlugin {

    /** The name operators use: {@code direct}. Also the namespace of its properties. */
    String name();

    SearchMode mode();

    /** The properties it takes, names prefixed {@code name()/}: all of them, for listings. */
    List<PropertySpec> properties();

    /**
     * The properties it takes for an overlay carried by {@code transport}. Destinations of a UDP
     * encapsulation have a port and those of an IP-protocol encapsulation have none, so a plugin
     * may require a port property for one and not offer it for the other. Defaults to
     * {@link #properties()}.
     */
    default List<PropertySpec> properties(UnderlayTransport transport) {
        return properties();
    }

    /**
     * Creates an instance for one overlay; it is started separately.
     *
     * @param values already validated against {@link #properties(UnderlayTransport)}
     * @throws PropertyException when a combination of values is refused
     */
    SearchInstance create(SearchContext context, PropertyValues values) throws PropertyException;
}
