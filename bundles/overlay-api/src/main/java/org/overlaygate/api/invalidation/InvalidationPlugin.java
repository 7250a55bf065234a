package org.overlaygate.api.invalidation;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;

/**
 * An invalidation plugin: a factory of per-overlay {@link InvalidationInstance}s. Registered as a
 * DS service with {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME}.
 */
@ConsumerType
public interface InvalidationPlugin {

    /** The name operators use. Also the namespace of its properties. */
    String name();

    /** The properties it takes, names prefixed {@code name()/}. */
    List<PropertySpec> properties();

    /**
     * Creates an instance for one overlay; it is started separately.
     *
     * @param values already validated against {@link #properties()}
     */
    InvalidationInstance create(InvalidationContext context, PropertyValues values) throws PropertyException;
}
