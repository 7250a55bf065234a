package org.overlaygate.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the framework properties: {@code etc/config.properties}, then a profile's file, then
 * system properties with the same names; {@code ${name}} refers to another property or a system
 * property ({@code overlaygate.home} and {@code overlaygate.data} are always set).
 */
final class FrameworkConfig {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");
    private static final String[] OVERRIDABLE_PREFIXES = {"org.osgi.", "felix.", "ds.", "gosh.", "overlaygate."};

    private FrameworkConfig() {
    }

    static Map<String, String> load(Path home, Path data, String profile) throws IOException {
        Properties props = new Properties();
        read(props, home.resolve("etc/config.properties"));
        if (profile != null) {
            Path file = home.resolve("etc/profiles/" + profile + ".properties");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no profile '" + profile + "' (expected " + file + ")");
            }
            read(props, file);
        }
        Map<String, String> raw = new TreeMap<>();
        props.stringPropertyNames().forEach(n -> raw.put(n, props.getProperty(n)));
        for (String name : System.getProperties().stringPropertyNames()) {
            for (String prefix : OVERRIDABLE_PREFIXES) {
                if (name.startsWith(prefix)) {
                    raw.put(name, System.getProperty(name));
                }
            }
        }
        raw.put("overlaygate.home", home.toString());
        raw.put("overlaygate.data", data.toString());
        if (profile != null) {
            raw.put("overlaygate.profile", profile);
        }
        Map<String, String> resolved = new TreeMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            resolved.put(e.getKey(), substitute(e.getValue(), raw, 0));
        }
        return resolved;
    }

    private static void read(Properties props, Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
    }

    static String substitute(String value, Map<String, String> props, int depth) {
        if (depth > 10) {
            throw new IllegalArgumentException("property references nest too deep (a cycle?) in '" + value + "'");
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = props.containsKey(name) ? props.get(name) : System.getProperty(name);
            if (replacement == null) {
                throw new IllegalArgumentException("undefined property ${" + name + "} in '" + value + "'");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(substitute(replacement, props, depth + 1)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
