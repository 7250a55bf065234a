package org.overlaygate.katar.server.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which database URLs an operator may give the katar server, and how one is shown.
 *
 * <p>Only PostgreSQL: the embedded H2 database's URL is the appliance's own (an H2 URL runs SQL at
 * connect, {@code INIT=...}, and H2's SQL writes files), so it is never a setting. Of pgjdbc's
 * parameters only those that tune the connection are taken: the ones that make the driver load a
 * class by name ({@code socketFactory}, {@code sslfactory}, {@code sslhostnameverifier},
 * {@code sslpasswordcallback}, {@code authenticationPluginClassName}, CVE-2022-21724) or write a
 * file ({@code loggerFile}, CVE-2022-26520) are refused by name, and any other not listed here
 * too. Credentials never travel in the URL ({@code password=}, {@code sslpassword=},
 * {@code user:password@host}): they would be shown wherever the URL is (the log, ConfigAdmin's
 * files, {@code scr:info}, the console); {@code jdbc.password} is kept in an owner-only file.
 */
public final class JdbcUrls {
    private static final String PREFIX = "jdbc:postgresql:";
    /** pgjdbc parameters that load code or write files: each refused by name. */
    private static final Map<String, String> DANGEROUS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** pgjdbc parameters that only tune the connection. */
    private static final Set<String> ACCEPTED = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private static final Set<String> SECRETS = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private static final Pattern SECRET_PARAMETER = Pattern.compile("(?i)((?:^|[?&;])(?:ssl)?password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(?i)^(jdbc:[a-z0-9]+://)[^/?@]*@");

    static {
        for (String p : new String[] {"socketFactory", "socketFactoryArg", "sslfactory", "sslfactoryarg", "sslhostnameverifier",
                "sslpasswordcallback", "authenticationPluginClassName", "sspiServiceClass", "jaasLogin", "jaasApplicationName",
                "gsslib", "kerberosServerName", "useSpnego"}) {
            DANGEROUS.put(p, "makes the driver load code");
        }
        for (String p : new String[] {"loggerFile", "loggerLevel", "logUnclosedConnections"}) {
            DANGEROUS.put(p, "makes the driver write files");
        }
        SECRETS.add("password");
        SECRETS.add("sslpassword");
        ACCEPTED.addAll(Set.of("ApplicationName", "connectTimeout", "socketTimeout", "loginTimeout", "cancelSignalTimeout", "tcpKeepAlive",
                "tcpNoDelay", "ssl", "sslmode", "sslcert", "sslkey", "sslrootcert", "sslNegotiation", "sslResponseTimeout", "gssEncMode",
                "channelBinding", "targetServerType", "loadBalanceHosts", "hostRecheckSeconds", "currentSchema", "prepareThreshold",
                "preparedStatementCacheQueries", "preparedStatementCacheSizeMiB", "defaultRowFetchSize", "binaryTransfer", "readOnly",
                "readOnlyMode", "reWriteBatchedInserts", "stringtype", "assumeMinServerVersion", "preferQueryMode", "user",
                "receiveBufferSize", "sendBufferSize", "options"));
    }

    private JdbcUrls() {
    }

    /**
     * Checks a database URL an operator gave.
     *
     * @throws IllegalArgumentException one line that names the setting and what is wrong, never
     *     the URL itself (it may hold a secret)
     */
    public static void check(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("katar setting jdbc.url: the embedded H2 database is the appliance's own and not a setting;"
                    + " leave jdbc.url empty for it, or give jdbc:postgresql://HOST:5432/DB");
        }
        if (!lower.startsWith(PREFIX)) {
            throw new IllegalArgumentException("katar setting jdbc.url: only PostgreSQL URLs are accepted (jdbc:postgresql://HOST:5432/DB)");
        }
        if (USER_INFO.matcher(url).find()) {
            throw new IllegalArgumentException("katar setting jdbc.url: a user or password before '@' is refused: set jdbc.user, and"
                    + " jdbc.password (katar:config keeps it in an owner-only file)");
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq)).strip();
            if (SECRETS.contains(name)) {
                throw new IllegalArgumentException("katar setting jdbc.url: parameter " + name + " is refused: a secret in the URL is"
                        + " shown wherever the URL is; set jdbc.password (katar:config keeps it in an owner-only file)");
            }
            String why = DANGEROUS.get(name);
            if (why != null) {
                throw new IllegalArgumentException("katar setting jdbc.url: parameter " + name + " is refused: it " + why);
            }
            if (!ACCEPTED.contains(name)) {
                throw new IllegalArgumentException("katar setting jdbc.url: parameter '" + printable(name) + "' is not one katar accepts ("
                        + String.join(", ", ACCEPTED) + ")");
            }
        }
    }

    /** {@code url} with every password (a parameter, or before '@') replaced by ***: safe to print. */
    public static String masked(String url) {
        if (url == null) {
            return null;
        }
        String m = USER_INFO.matcher(url).replaceFirst("$1***@");
        return SECRET_PARAMETER.matcher(m).replaceAll("$1***");
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
