package org.overlaygate.api.property;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checked set of property values for one set of {@link PropertySpec}s: every required property
 * is present, every value parses, no unknown name slipped in. Defaults apply to what was not
 * given. Immutable.
 */
public final class PropertyValues {
    private final Map<String, PropertySpec> specs;
    private final Map<String, String> given;
    private final Map<String, Object> parsed;

    private PropertyValues(Map<String, PropertySpec> specs, Map<String, String> given, Map<String, Object> parsed) {
        this.specs = specs;
        this.given = given;
        this.parsed = parsed;
    }

    /**
     * Checks {@code values} against {@code specs}.
     *
     * @throws PropertyException naming every unknown property, every missing required property,
     *     or the first value that does not parse
     */
    public static PropertyValues validate(List<PropertySpec> specs, Map<String, String> values) throws PropertyException {
        Map<String, PropertySpec> byName = new LinkedHashMap<>();
        for (PropertySpec spec : specs) {
            byName.put(spec.name(), spec);
        }
        List<String> unknown = new ArrayList<>();
        for (String name : values.keySet()) {
            if (!byName.containsKey(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            Collections.sort(unknown);
            throw new PropertyException("unknown propert" + (unknown.size() == 1 ? "y: " : "ies: ") + String.join(", ", unknown)
                    + " (known: " + String.join(", ", byName.keySet()) + ")");
        }
        List<String> missing = new ArrayList<>();
        for (PropertySpec spec : specs) {
            if (spec.required() && !values.containsKey(spec.name()) && spec.defaultValue() == null) {
                missing.add(spec.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new PropertyException("missing required propert" + (missing.size() == 1 ? "y: " : "ies: ") + String.join(", ", missing));
        }
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (PropertySpec spec : specs) {
            String text = values.containsKey(spec.name()) ? values.get(spec.name()) : spec.defaultValue();
            if (text != null) {
                parsed.put(spec.name(), spec.parse(text));
            }
        }
        return new PropertyValues(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(new TreeMap<>(values)),
                Collections.unmodifiableMap(parsed));
    }

    /** The specs these values were checked against, in declaration order. */
    public Map<String, PropertySpec> specs() {
        return specs;
    }

    /** The values as given by the operator (without defaults), sorted by name. */
    public Map<String, String> given() {
        return given;
    }

    /** True when the property has a value, given or default. */
    public boolean has(String name) {
        return parsed.containsKey(name);
    }

    /** True when the operator gave the property (as opposed to its default applying). */
    public boolean isGiven(String name) {
        return given.containsKey(name);
    }

    public String getString(String name) {
        return (String) get(name);
    }

    public long getLong(String name) {
        return (Long) get(name);
    }

    public int getInt(String name) {
        return Math.toIntExact((Long) get(name));
    }

    public InetAddress getAddress(String name) {
        return (InetAddress) get(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    /** A {@link PropertyType#MAC} value as a {@code long}. */
    public long getMac(String name) {
        return (Long) get(name);
    }

    /**
     * The effective value as text (given, or the default), or {@code null} when it has none.
     */
    public String getText(String name) {
        if (given.containsKey(name)) {
            return given.get(name).trim();
        }
        PropertySpec spec = specs.get(name);
        return spec == null ? null : spec.defaultValue();
    }

    private Object get(String name) {
        if (!specs.containsKey(name)) {
            throw new IllegalArgumentException("no property " + name + " in " + specs.keySet());
        }
        Object value = parsed.get(name);
        if (value == null) {
            throw new IllegalStateException("property " + name + " has no value and no default");
        }
        return value;
    }

    @Override
    public String toString() {
        return given.toString();
    }
}
