package org.overlaygate.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's login: HTTP Basic, one user, the password of {@link ConsolePassword}. The
 * console requires this provider (framework property {@code felix.webconsole.security.providers}),
 * so it is never served with the console's built-in default password. At most
 * {@value #FAILURES_PER_MINUTE} failed logins in any minute from one address; past that it answers
 * 429 without looking at the credentials, until the oldest of them is a minute old.
 */
@Component(property = SecurityProvider.PROPERTY_ID + "=" + ConsoleLogin.ID)
public final class ConsoleLogin implements SecurityProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLogin.class);
    static final String ID = "overlaygate";
    static final String REALM = "Overlay Gate";
    static final int FAILURES_PER_MINUTE = 10;
    private static final int MAX_ADDRESSES = 1024;

    private byte[] userDigest;
    private byte[] passwordDigest;
    private String user;
    /** Per address, the times of its last failed logins (a ring: the oldest is overwritten). */
    private final Map<String, long[]> failures = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    public ConsoleLogin() {
    }

    ConsoleLogin(String user, String password) {
        set(user, password);
    }

    @Activate
    void activate(BundleContext context) throws IOException {
        String u = context.getProperty("overlaygate.console.user");
        String file = context.getProperty("overlaygate.console.password.file");
        String data = context.getProperty("overlaygate.data");
        ConsolePassword.Loaded p = ConsolePassword.load(file == null || file.isBlank() ? null : Paths.get(file),
                Paths.get(data == null ? "data" : data));
        set(u == null || u.isBlank() ? "admin" : u.trim(), p.password());
        if (p.generated()) {
            LOG.info("web console: user {}, password generated at the first start, in {} (owner-only); put your own in {} to choose it",
                    user, p.source(), file);
        } else {
            LOG.info("web console: user {}, password from {}", user, p.source());
        }
    }

    private void set(String user, String password) {
        this.user = user;
        this.userDigest = digest(user);
        this.passwordDigest = digest(password);
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        String address = String.valueOf(request.getRemoteAddr());
        if (tooManyFailures(address)) {
            response.setStatus(429);
            response.setHeader("Retry-After", "60");
            return null;
        }
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = "";
            }
            int colon = decoded.indexOf(':');
            if (colon >= 0) {
                // both compared in full, in constant time, whatever matches
                boolean userOk = MessageDigest.isEqual(userDigest, digest(decoded.substring(0, colon)));
                boolean passwordOk = MessageDigest.isEqual(passwordDigest, digest(decoded.substring(colon + 1)));
                if (userOk & passwordOk) {
                    return user;
                }
            }
            failed(address);
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        return null;
    }

    /** Whether the address failed {@value #FAILURES_PER_MINUTE} times within the last minute. */
    private synchronized boolean tooManyFailures(String address) {
        long[] times = failures.get(address);
        if (times == null) {
            return false;
        }
        long now = System.nanoTime();
        int recent = 0;
        for (long t : times) {
            if (t != 0 && now - t < 60_000_000_000L) {
                recent++;
            }
        }
        return recent >= FAILURES_PER_MINUTE;
    }

    private synchronized void failed(String address) {
        long[] times = failures.computeIfAbsent(address, a -> new long[FAILURES_PER_MINUTE]);
        int oldest = 0;
        for (int i = 1; i < times.length; i++) {
            if (times[i] < times[oldest]) {
                oldest = i;
            }
        }
        times[oldest] = System.nanoTime() | 1; // never 0, the mark of an unused slot
    }

    @Override
    public boolean authorize(Object user, String role) {
        return user != null;
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Basic authentication: the browser forgets the credentials when told 401 (the console does that)
    }
}
