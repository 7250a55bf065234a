package org.overlaygate.katar.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.net.Limits;
import org.overlaygate.katar.server.store.JdbcUrls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's settings, each from (first that is set) its ConfigAdmin property (PID
 * {@code org.overlaygate.katar.server}), the framework property {@code overlaygate.katar.NAME}
 * (etc/config.properties, a profile, or {@code -D} in JAVA_OPTS), or the default of
 * {@link KatarConfig}.
 */
public record KatarSettings(boolean enabled, InetSocketAddress listen, String jdbcUrl, String jdbcUser, String jdbcPassword,
        String jdbcPasswordFile, int poolSize, Limits limits, int cacheEntries, long cacheTtlMs, boolean embedded,
        boolean logTrustNamedAddress) {
    private static final Logger LOG = LoggerFactory.getLogger(KatarSettings.class);

    public static final String FRAMEWORK_PREFIX = "overlaygate.katar.";
    /** Every setting, as named in ConfigAdmin and (after the prefix) as framework properties. */
    public static final java.util.List<String> NAMES = java.util.List.of("enabled", "listen.address", "port", "jdbc.url", "jdbc.user",
            "jdbc.password", "jdbc.password.file", "db.pool.size", "max.connections", "max.connections.per.address", "max.outstanding",
            "max.message.bytes", "workers", "work.queue", "stalled.message.ms", "idle.timeout.ms", "cache.entries", "cache.ttl.ms",
            "log.trust.named.address");

    /** Where a setting's value comes from: "config" (ConfigAdmin), "framework" or "default". */
    public static String source(String name, Map<String, ?> config, Function<String, String> framework) {
        Object v = config.get(name);
        if (v != null && !v.toString().isBlank()) {
            return "config";
        }
        String f = framework.apply(FRAMEWORK_PREFIX + name);
        return f == null || f.isBlank() ? "default" : "framework";
    }

    /** The effective value of a setting, as text (the password masked). */
    public String value(String name) {
        switch (name) {
            case "enabled": return Boolean.toString(enabled);
            case "listen.address": return listen.getAddress().getHostAddress();
            case "port": return Integer.toString(listen.getPort());
            case "jdbc.url": return embedded ? "" : JdbcUrls.masked(jdbcUrl);
            case "jdbc.user": return jdbcUser;
            case "jdbc.password": return jdbcPassword.isEmpty() ? "" : "***";
            case "jdbc.password.file": return jdbcPasswordFile;
            case "db.pool.size": return Integer.toString(poolSize);
            case "max.connections": return Integer.toString(limits.maxConnections());
            case "max.connections.per.address": return Integer.toString(limits.maxConnectionsPerAddress());
            case "max.outstanding": return Integer.toString(limits.maxOutstanding());
            case "max.message.bytes": return Integer.toString(limits.maxMessageBytes());
            case "workers": return Integer.toString(limits.workers());
            case "work.queue": return Integer.toString(limits.workQueue());
            case "stalled.message.ms": return Integer.toString(limits.stalledMessageMs());
            case "idle.timeout.ms": return Integer.toString(limits.idleTimeoutMs());
            case "cache.entries": return Integer.toString(cacheEntries);
            case "cache.ttl.ms": return Long.toString(cacheTtlMs);
            case "log.trust.named.address": return Boolean.toString(logTrustNamedAddress);
            default: throw new IllegalArgumentException("no katar setting '" + name + "' (settings: " + String.join(", ", NAMES) + ")");
        }
    }

    /**
     * @param config ConfigAdmin properties (may be empty)
     * @param framework framework properties by name
     * @param dataDir the data directory (framework property {@code overlaygate.data}) for the embedded database
     * @throws IllegalArgumentException naming the bad setting
     */
    public static KatarSettings from(Map<String, ?> config, Function<String, String> framework, Path dataDir) {
        Function<String, String> get = name -> {
            Object v = config.get(name);
            if (v != null && !v.toString().isBlank()) {
                return v.toString().trim();
            }
            String f = framework.apply(FRAMEWORK_PREFIX + name);
            return f == null || f.isBlank() ? null : f.trim();
        };
        boolean enabled = !"false".equalsIgnoreCase(get.apply("enabled"));
        String address = orDefault(get.apply("listen.address"), "127.0.0.1");
        int port = integer(get, "port", Svp.DEFAULT_PORT, 0, 65535);
        InetSocketAddress listen;
        try {
            listen = new InetSocketAddress(InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("katar setting listen.address: cannot resolve '" + address + "'");
        }
        String notUnicast = notUnicast(listen.getAddress());
        if (notUnicast != null) {
            throw new IllegalArgumentException("katar setting listen.address: " + listen.getAddress().getHostAddress() + " is " + notUnicast
                    + ", not an address of this host to listen on");
        }
        String url = get.apply("jdbc.url");
        boolean embedded = url == null;
        if (!embedded) {
            JdbcUrls.check(url);
        }
        String user = orDefault(get.apply("jdbc.user"), "");
        String passwordFile = orDefault(get.apply("jdbc.password.file"), "");
        String password = orDefault(get.apply("jdbc.password"), "");
        if (embedded) {
            if (!user.isEmpty() || !password.isEmpty() || !passwordFile.isEmpty()) {
                throw new IllegalArgumentException("katar settings jdbc.user and jdbc.password need jdbc.url: the embedded database"
                        + " has neither (set jdbc.url=jdbc:postgresql://HOST:5432/DB with them)");
            }
            if (dataDir == null) {
                throw new IllegalArgumentException("katar: no jdbc.url and no data directory (framework property overlaygate.data)");
            }
            url = embeddedUrl(dataDir);
        }
        if (!passwordFile.isEmpty()) {
            if (!password.isEmpty()) {
                throw new IllegalArgumentException("katar settings jdbc.password and jdbc.password.file exclude each other");
            }
            password = readPasswordFile(Path.of(passwordFile));
        }
        Limits limits = new Limits(integer(get, "max.connections", 1024, 1, 1_000_000),
                integer(get, "max.connections.per.address", 64, 1, 1_000_000),
                integer(get, "max.outstanding", 256, 1, 1_000_000),
                integer(get, "max.message.bytes", 64 * 1024, 64, 16 * 1024 * 1024),
                integer(get, "workers", 4, 1, 256),
                integer(get, "work.queue", 4096, 1, 1_000_000),
                integer(get, "stalled.message.ms", 30_000, 1, 3_600_000),
                integer(get, "idle.timeout.ms", 120_000, 1, 86_400_000));
        return new KatarSettings(enabled, listen, url, user, password, passwordFile, integer(get, "db.pool.size", 8, 1, 256), limits,
                integer(get, "cache.entries", 100_000, 0, 100_000_000), integer(get, "cache.ttl.ms", 5000, 0, 3_600_000), embedded,
                bool(get, "log.trust.named.address", false));
    }

    /** The password in {@code file}: its first line. Warns when others may read the file. */
    static String readPasswordFile(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.GROUP_READ)) {
                LOG.warn("katar: the password file {} is readable by others ({}); make it owner-only (chmod 600)", file,
                        PosixFilePermissions.toString(mode));
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).strip();
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
            throw new IllegalArgumentException("katar setting jdbc.password.file: cannot read " + file + ": " + why);
        }
    }

    /** Every setting by name, the password masked: a record's own toString would print it. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("KatarSettings[");
        for (String name : NAMES) {
            b.append(name).append('=').append(value(name)).append(name.equals(NAMES.get(NAMES.size() - 1)) ? "]" : ", ");
        }
        return b.toString();
    }

    /**
     * The embedded database: H2 in {@code DATA/katar/katar.mv.db}. WRITE_DELAY=0 writes every
     * commit to the file at once (H2's default waits up to 500 ms, which a SIGKILL would lose);
     * DB_CLOSE_ON_EXIT=FALSE leaves closing to the server, after its last request.
     */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("katar").resolve("katar").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** What kind of address {@code a} is when no TCP server can listen on it (multicast, broadcast, class E), or null. */
    static String notUnicast(InetAddress a) {
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = a.getAddress();
        if (b.length == 4 && (b[0] & 0xFF) == 255 && (b[1] & 0xFF) == 255 && (b[2] & 0xFF) == 255 && (b[3] & 0xFF) == 255) {
            return "the broadcast address";
        }
        if (b.length == 4 && (b[0] & 0xF0) == 0xF0) {
            return "a reserved (class E) address";
        }
        return null;
    }

    private static boolean bool(Function<String, String> get, String name, boolean def) {
        String v = get.apply(name);
        if (v == null) {
            return def;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException("katar setting " + name + " = '" + v + "' is not true or false");
    }

    private static String orDefault(String v, String d) {
        return v == null ? d : v;
    }

    private static int integer(Function<String, String> get, String name, int def, int min, int max) {
        String v = get.apply(name);
        if (v == null) {
            return def;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException("katar setting " + name + " = " + v + " is out of range " + min + "-" + max);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("katar setting " + name + " = '" + v + "' is not a number");
        }
    }
}
