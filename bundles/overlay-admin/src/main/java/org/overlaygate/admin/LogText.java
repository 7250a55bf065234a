package org.overlaygate.admin;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What the log may say about a request: one line whatever the input (control characters escaped,
 * so an argument cannot forge a log line), at most {@link #MAX} characters, and the value of any
 * {@code NAME=VALUE} argument whose name says it is a secret ({@code jdbc.password=...}) masked.
 */
final class LogText {
    static final int MAX = 1000;
    private static final Pattern SECRET = Pattern.compile("(?i)[^=]*(password|passwd|secret|token|credential)[^=]*");
    /** A secret inside a value: a URL's password parameter (pgjdbc's password=, sslpassword=) or user:password@host. */
    private static final Pattern SECRET_IN_VALUE = Pattern.compile("(?i)((?:^|[?&;])[a-z_.]*(?:password|passwd|secret|token)=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(://[^/?@:]*:)[^/?@]*@");

    private LogText() {
    }

    /** The command and its arguments as one log-safe line. */
    static String command(String command, List<String> arguments) {
        StringBuilder b = new StringBuilder(escape(command));
        for (String a : arguments) {
            if (b.length() > MAX) {
                break;
            }
            b.append(' ');
            int eq = a.indexOf('=');
            String shown = eq > 0 && SECRET.matcher(a.substring(0, eq)).matches() ? a.substring(0, eq + 1) + "***" : maskedWithin(a);
            String escaped = escape(shown);
            boolean quote = escaped.isEmpty() || escaped.indexOf(' ') >= 0 || escaped.indexOf('"') >= 0;
            b.append(quote ? '"' + escaped.replace("\"", "\\\"") + '"' : escaped);
        }
        return cut(b.toString());
    }

    /** {@code a} with the secrets a URL in it may carry replaced by ***. */
    static String maskedWithin(String a) {
        String m = USER_INFO.matcher(a).replaceAll("$1***@");
        return SECRET_IN_VALUE.matcher(m).replaceAll("$1***");
    }

    /** {@code text} with line breaks, other control characters and backslashes escaped, cut at {@link #MAX}. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX) + 8);
        for (int i = 0; i < text.length() && b.length() <= MAX; i++) { // the rest is cut anyway
            char c = text.charAt(i);
            switch (c) {
                case '\n':
                    b.append("\\n");
                    break;
                case '\r':
                    b.append("\\r");
                    break;
                case '\t':
                    b.append("\\t");
                    break;
                case '\\':
                    b.append("\\\\");
                    break;
                default:
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return cut(b.toString());
    }

    private static String cut(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX) + "...";
    }
}
