package org.overlaygate.varpd.plugins;

import java.util.List;

import org.overlaygate.api.property.PropertySpec;

/**
 * One line of {@code overlay:plugins}: a plugin service, a drop-in that extends the appliance
 * otherwise (kind {@code extension}), or a jar of {@code plugins.d/} that did not become one (kind
 * {@code file}) with the reason.
 */
public final class PluginInfo {
    /** Kind column values. */
    public static final String ENCAP = "encap";
    public static final String SEARCH = "search";
    public static final String INVALIDATION = "invalidation";
    public static final String FILE = "file";
    /** A drop-in bundle that extends the appliance without being one of the three plugin kinds (the router). */
    public static final String EXTENSION = "extension";

    public final String kind;
    public final String name;
    /** Transport of an encapsulation, mode of a search plugin, or the jar's file name. */
    public final String detail;
    public final String bundle;
    public final String version;
    public final String state;
    /** Why a file is FAILED, or {@code null}. */
    public final String reason;
    public final List<PropertySpec> properties;

    PluginInfo(String kind, String name, String detail, String bundle, String version, String state, String reason,
            List<PropertySpec> properties) {
        this.kind = kind;
        this.name = name;
        this.detail = detail;
        this.bundle = bundle;
        this.version = version;
        this.state = state;
        this.reason = reason;
        this.properties = List.copyOf(properties);
    }
}
