package org.overlaygate.api.property;

import java.net.InetAddress;
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
    private final boolean unicast;
    private final String description;

    private PropertySpec(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.min = b.min;
        this.max = b.max;
        this.possible = List.copyOf(b.possible);
        this.required = b.required;
        this.unicast = b.unicast;
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

    /**
     * Largest accepted value of a {@link PropertyType#UINT}: {@link Integer#MAX_VALUE} unless the
     * spec gives a {@link Builder#range range}, so that {@link PropertyValues#getInt} never fails.
     */
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

    /**
     * True when an {@link PropertyType#IP} value must be a unicast address: multicast, the
     * limited broadcast 255.255.255.255 and the unspecified 0.0.0.0 and :: are refused.
     *
     * @since 1.1
     */
    public boolean unicast() {
        return unicast;
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
                return parseUint(value);
            case IP:
                InetAddress address;
                try {
                    address = UnderlayAddress.parseLiteral(value);
                } catch (IllegalArgumentException e) {
                    throw new PropertyException(name + ": " + e.getMessage());
                }
                String notUnicast = unicast ? notUnicast(address) : null;
                if (notUnicast != null) {
                    throw new PropertyException(name + ": " + value + " is " + notUnicast + "; a unicast address is needed");
                }
                return address;
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

    /**
     * A decimal or 0x-hexadecimal number within [min, max]. Digits that do not fit in a long are
     * out of range too, not "not a number": the operator typed a number, only too large a one.
     */
    private Long parseUint(String value) throws PropertyException {
        boolean hex = value.startsWith("0x") || value.startsWith("0X");
        String digits = hex ? value.substring(2) : value;
        if (!digits.matches(hex ? "[0-9a-fA-F]+" : "-?[0-9]+")) {
            throw new PropertyException(name + ": '" + value + "' is not a number");
        }
        long n;
        try {
            n = Long.parseLong(digits, hex ? 16 : 10);
        } catch (NumberFormatException tooLong) {
            n = Long.MAX_VALUE; // beyond any range a spec can have
        }
        if (n < min || n > max) {
            throw new PropertyException(name + ": " + value + " is out of range " + min + "-" + max);
        }
        return n;
    }

    /** Why {@code a} is no unicast address ("a multicast address"), or null when it is one. */
    private static String notUnicast(InetAddress a) {
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        if (a.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        byte[] b = a.getAddress();
        if (b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xFF) {
            return "the broadcast address";
        }
        if (b.length == 4 && (b[0] & 0xF0) == 0xF0) {
            return "a reserved (class E, 240.0.0.0/4) address";
        }
        return null;
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
        private long max = Integer.MAX_VALUE;
        private List<String> possible = List.of();
        private boolean required;
        private boolean unicast;
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

        /**
         * Refuses multicast, broadcast and unspecified addresses for an {@link PropertyType#IP}
         * (an address to listen on or send to); the message says which it was.
         *
         * @since 1.1
         */
        public Builder unicast() {
            if (type != PropertyType.IP) {
                throw new IllegalArgumentException(name + ": only an IP property can require a unicast address");
            }
            this.unicast = true;
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
