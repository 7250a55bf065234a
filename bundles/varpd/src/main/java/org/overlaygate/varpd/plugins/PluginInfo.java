package org.overlaygate.varpd.plugins;

import java.util.List;

import org.overlaygate.api.property.PropertySpec;

/**
 * One line of {@code overlay:plugins}: a plugin service, or a jar of {@code plugins.d/} that did not
 * become one (kind {@code file}) with the reason.
 */
public final class PluginInfo {
    /** Kind column values. */
    public static final String ENCAP = "encap";
    public static final String SEARCH = "search";
    public static final String INVALIDATION = "invalidation";
    public static final String FILE = "file";

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
