package org.overlaygate.console;

import java.util.List;

/** Just enough JSON for the page's data: strings escaped, also for inclusion in HTML ({@code <} as a escape). */
final class Json {
    private final StringBuilder b = new StringBuilder();
    private boolean first = true;

    Json open(char c) {
        comma();
        b.append(c);
        first = true;
        return this;
    }

    Json close(char c) {
        b.append(c);
        first = false;
        return this;
    }

    Json key(String k) {
        comma();
        string(k);
        b.append(':');
        first = true;
        return this;
    }

    Json value(String s) {
        comma();
        if (s == null) {
            b.append("null");
        } else {
            string(s);
        }
        first = false;
        return this;
    }

    Json value(double d) {
        comma();
        b.append(Double.isFinite(d) ? (d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d)) : "0");
        first = false;
        return this;
    }

    Json strings(List<String> list) {
        open('[');
        list.forEach(this::value);
        return close(']');
    }

    Json numbers(double[] values) {
        open('[');
        for (double v : values) {
            value(v);
        }
        return close(']');
    }

    Json numbers(long[] values) {
        open('[');
        for (long v : values) {
            value(v);
        }
        return close(']');
    }

    private void comma() {
        if (!first) {
            b.append(',');
        }
    }

    private void string(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
