package org.overlaygate.api.property;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;

/**
 * Describes one property: name, type, default, range or possible values, whether it is required,
 * and a one-line description. Immutable; build with {@link #builder(String, PropertyType)}.
 */
public final class PropertySpec {
    private final String name;
    private final PropertyType type;
    private final String defaultValue;
    private final long min;
    private final long max;
    private final List<String> possible;
    private final boolean required;
    private final String description;

    private PropertySpec(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.min = b.min;
        this.max = b.max;
        this.possible = List.copyOf(b.possible);
        this.required = b.required;
        this.description = b.description;
    }

    public static Builder builder(String name, PropertyType type) {
        return new Builder(name, type);
    }

    public String name() {
        return name;
    }

    public PropertyType type() {
        return type;
    }

    /** The default as text, or {@code null} when there is none. */
    public String defaultValue() {
        return defaultValue;
    }

    /** Smallest accepted value of a {@link PropertyType#UINT}. */
    public long min() {
        return min;
    }

    /** Largest accepted value of a {@link PropertyType#UINT}. */
    public long max() {
        return max;
    }

    /** The only accepted values of a {@link PropertyType#STRING}, or empty for any. */
    public List<String> possibleValues() {
        return possible;
    }

    public boolean required() {
        return required;
    }

    public String description() {
        return description;
    }

    /**
     * What may be given, as {@code dladm show-linkprop} prints it in its POSSIBLE column:
     * {@code 1-65535}, {@code on,off}, or {@code --}.
     */
    public String possibleText() {
        switch (type) {
            case UINT:
                return min + "-" + max;
            case BOOLEAN:
                return "true,false";
            case STRING:
                return possible.isEmpty() ? "--" : String.join(",", possible);
            default:
                return "--";
        }
    }

    /**
     * Checks a value given as text and returns it parsed: {@code String}, {@code Long},
     * {@code InetAddress}, {@code Boolean}, or {@code Long} (MAC).
     *
     * @throws PropertyException with a one-line reason
     */
    public Object parse(String text) throws PropertyException {
        if (text == null || text.isBlank()) {
            throw new PropertyException(name + ": empty value");
        }
        String value = text.trim();
        switch (type) {
            case UINT:
                long n;
                try {
                    n = value.startsWith("0x") || value.startsWith("0X")
                            ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new PropertyException(name + ": '" + value + "' is not a number");
                }
                if (n < min || n > max) {
                    throw new PropertyException(name + ": " + value + " is out of range " + min + "-" + max);
                }
                return n;
            case IP:
                try {
                    return UnderlayAddress.parseLiteral(value);
                } catch (IllegalArgumentException e) {
                    throw new PropertyException(name + ": " + e.getMessage());
                }
            case BOOLEAN:
                String lower = value.toLowerCase(Locale.ROOT);
                if (lower.equals("true") || lower.equals("on") || lower.equals("yes")) {
                    return Boolean.TRUE;
                }
                if (lower.equals("false") || lower.equals("off") || lower.equals("no")) {
                    return Boolean.FALSE;
                }
                throw new PropertyException(name + ": '" + value + "' is not true or false");
            case MAC:
                try {
                    return MacAddress.parse(value);
                } catch (IllegalArgumentException e) {
                    throw new PropertyException(name + ": " + e.getMessage());
                }
            case STRING:
            default:
                if (!possible.isEmpty() && !possible.contains(value)) {
                    throw new PropertyException(name + ": '" + value + "' is not one of " + String.join(", ", possible));
                }
                return value;
        }
    }

    @Override
    public String toString() {
        return name + " (" + type.displayName() + (required ? ", required" : "")
                + (defaultValue != null ? ", default " + defaultValue : "") + ")";
    }

    /** Builds a {@link PropertySpec}. */
    public static final class Builder {
        private final String name;
        private final PropertyType type;
        private String defaultValue;
        private long min = 0;
        private long max = Long.MAX_VALUE;
        private List<String> possible = List.of();
        private boolean required;
        private String description = "";

        private Builder(String name, PropertyType type) {
            this.name = Objects.requireNonNull(name, "name");
            this.type = Objects.requireNonNull(type, "type");
        }

        public Builder defaultValue(String value) {
            this.defaultValue = value;
            return this;
        }

        public Builder range(long min, long max) {
            if (min > max || min < 0) {
                throw new IllegalArgumentException("bad range " + min + "-" + max);
            }
            this.min = min;
            this.max = max;
            return this;
        }

        public Builder possible(String... values) {
            this.possible = List.of(values);
            return this;
        }

        public Builder required() {
            this.required = true;
            return this;
        }

        public Builder description(String text) {
            this.description = Objects.requireNonNull(text);
            return this;
        }

        /**
         * @throws IllegalArgumentException when the default does not satisfy the spec itself
         */
        public PropertySpec build() {
            PropertySpec spec = new PropertySpec(this);
            if (defaultValue != null) {
                try {
                    spec.parse(defaultValue);
                } catch (PropertyException e) {
                    throw new IllegalArgumentException("default of " + name + " is invalid: " + e.getMessage());
                }
            }
            return spec;
        }
    }
}
