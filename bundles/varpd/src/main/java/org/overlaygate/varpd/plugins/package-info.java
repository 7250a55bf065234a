/**
 * Which plugins this appliance has, and what became of every jar dropped into {@code plugins.d/}.
 *
 * <p>{@link org.overlaygate.varpd.plugins.PluginCatalog} tracks the encapsulation, search and
 * invalidation services dynamically (a plugin appearing, being replaced or vanishing is an
 * ordinary event) and tells listeners, so overlays degrade and heal with their plugins.
 * {@link org.overlaygate.varpd.plugins.PluginDirectoryInspector} explains the jars of the watched
 * directory that did not become plugins: not a bundle, unresolved imports, not started.
 * {@link org.overlaygate.varpd.plugins.PluginsCommand} prints both as {@code overlay:plugins}.
 */
package org.overlaygate.varpd.plugins;
