package org.overlaygate.encap.geneve;

import java.io.ByteArrayOutputStream;

import org.overlaygate.api.property.PropertyException;

/**
 * The options an overlay sends in every header, from the text of {@code geneve/options} in the
 * syntax of tc-tunnel_key(8)'s {@code geneve_opts}: {@code CLASS:TYPE:DATA[,CLASS:TYPE:DATA...]},
 * CLASS 16 bits and TYPE 8 bits in hexadecimal, DATA hexadecimal in whole 4-byte words (possibly
 * none). A TYPE of 0x80 or more is critical (section 3.5), and sets C in the header. Immutable.
 */
final class GeneveOptions {
    static final GeneveOptions NONE = new GeneveOptions(new byte[0], false);

    private final byte[] bytes;
    private final boolean critical;

    private GeneveOptions(byte[] bytes, boolean critical) {
        this.bytes = bytes;
        this.critical = critical;
    }

    /** The options as they go on the wire, each with its 4-byte option header. */
    byte[] bytes() {
        return bytes.clone();
    }

    /** Whether any option is critical. */
    boolean critical() {
        return critical;
    }

    /**
     * @param property the property's name, for messages
     * @throws PropertyException naming the option and what is wrong with it
     */
    static GeneveOptions parse(String property, String text) throws PropertyException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean critical = false;
        for (String item : text.split(",", -1)) {
            String option = item.trim();
            String[] f = option.split(":", -1);
            if (f.length != 3) {
                throw new PropertyException(property + ": '" + option + "' is not CLASS:TYPE:DATA (hexadecimal, as tc's geneve_opts)");
            }
            int optionClass = hex(property, option, "CLASS", f[0], 4);
            int type = hex(property, option, "TYPE", f[1], 2);
            String data = f[2];
            if (!data.isEmpty() && !data.chars().allMatch(GeneveOptions::isHexDigit)) {
                throw new PropertyException(property + ": DATA of '" + option + "' is not hexadecimal");
            }
            if (data.length() % 8 != 0) {
                throw new PropertyException(property + ": DATA of '" + option + "' is " + data.length()
                        + " hex digits; Geneve option data comes in 4-byte words (8 digits)");
            }
            if (data.length() / 2 > Geneve.MAX_OPTION_DATA) {
                throw new PropertyException(property + ": DATA of '" + option + "' is " + data.length() / 2
                        + " bytes; an option carries at most " + Geneve.MAX_OPTION_DATA);
            }
            out.write(optionClass >>> 8);
            out.write(optionClass);
            out.write(type);
            out.write(data.length() / 8); // R R R zero, Length in 4-byte words
            for (int i = 0; i < data.length(); i += 2) {
                out.write(Integer.parseInt(data, i, i + 2, 16));
            }
            critical |= (type & Geneve.OPTION_TYPE_CRITICAL) != 0;
        }
        if (out.size() > Geneve.MAX_SENT_OPTIONS) {
            throw new PropertyException(property + ": " + out.size() + " bytes of options; at most " + Geneve.MAX_SENT_OPTIONS
                    + " fit in front of a frame (a 64-byte Geneve header)");
        }
        return new GeneveOptions(out.toByteArray(), critical);
    }

    private static int hex(String property, String option, String what, String text, int maxDigits) throws PropertyException {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (digits.isEmpty() || digits.length() > maxDigits || !digits.chars().allMatch(GeneveOptions::isHexDigit)) {
            throw new PropertyException(property + ": " + what + " of '" + option + "' is not a hexadecimal number of at most "
                    + maxDigits + " digits");
        }
        return Integer.parseInt(digits, 16);
    }

    private static boolean isHexDigit(int c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }
}
