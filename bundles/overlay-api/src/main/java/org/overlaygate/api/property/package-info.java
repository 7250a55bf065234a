/**
 * The property model shared by overlays and plugins, after illumos {@code dladm show-overlay}:
 * every property has a name (namespaced by its plugin, {@code vxlan/listen_ip}), a
 * {@link org.overlaygate.api.property.PropertyType type}, an optional default, a range or list of
 * possible values, and whether it is required.
 *
 * <p>Plugins describe their properties with {@link org.overlaygate.api.property.PropertySpec}.
 * Operators type strings; {@link org.overlaygate.api.property.PropertyValues#validate} turns them
 * into checked values, or refuses them with a {@link org.overlaygate.api.property.PropertyException}
 * whose message is one line fit to show an operator (it lists every missing required property).
 *
 * <p>1.1: {@link org.overlaygate.api.property.PropertySpec.Builder#unicast()} for addresses that
 * must be unicast; a {@code UINT} without a range accepts 0 to {@link Integer#MAX_VALUE}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.overlaygate.api.property;
