package org.overlaygate.katar.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Katar servers for tests: embedded H2 in a temporary directory, a free loopback port. */
public final class TestServers {
    private TestServers() {
    }

    public static KatarSettings h2(Path dir, String... overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put("port", "0");
        for (int i = 0; i < overrides.length; i += 2) {
            config.put(overrides[i], overrides[i + 1]);
        }
        return KatarSettings.from(config, name -> null, dir);
    }

    public static KatarSettings jdbc(String url, String user, String... overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put("port", "0");
        config.put("jdbc.url", url);
        config.put("jdbc.user", user);
        for (int i = 0; i < overrides.length; i += 2) {
            config.put(overrides[i], overrides[i + 1]);
        }
        return KatarSettings.from(config, name -> null, null);
    }

    /** Closes each (nulls skipped), in order, even when one fails; the first failure is thrown. */
    public static void closeAll(AutoCloseable... all) throws Exception {
        Exception first = null;
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    public static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
