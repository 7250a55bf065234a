package org.overlaygate.api.property;

/** The type of a plugin or overlay property; decides how its text is parsed and checked. */
public enum PropertyType {
    /** Free text (host names, paths). */
    STRING,
    /** Unsigned integer, checked against the spec's range. */
    UINT,
    /** A literal IPv4 or IPv6 address. */
    IP,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A MAC address such as {@code 02:08:20:aa:bb:cc}. */
    MAC;

    /** Lower-case name, as {@code overlay:plugins} and {@code overlay:show} print it. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
