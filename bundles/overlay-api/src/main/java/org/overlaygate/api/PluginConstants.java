package org.overlaygate.api;

/**
 * Service property names and conventions shared by plugins and their consumers.
 */
public final class PluginConstants {
    /**
     * Service property carrying a plugin's name ({@code vxlan}, {@code direct}, ...). Every plugin
     * service registers it so consumers can select a plugin with a filter such as
     * {@code (overlay.plugin.name=vxlan)} without loading it.
     */
    public static final String PLUGIN_NAME = "overlay.plugin.name";

    /**
     * Separator between a plugin's name and a property name: properties are namespaced by plugin,
     * as in {@code vxlan/listen_ip}.
     */
    public static final char PROPERTY_NAMESPACE_SEPARATOR = '/';

    private PluginConstants() {
    }

    /**
     * Returns the plugin namespace of a property name ({@code vxlan} for {@code vxlan/listen_ip}),
     * or {@code null} when the name has no namespace.
     */
    public static String namespaceOf(String propertyName) {
        int slash = propertyName.indexOf(PROPERTY_NAMESPACE_SEPARATOR);
        return slash <= 0 ? null : propertyName.substring(0, slash);
    }
}
