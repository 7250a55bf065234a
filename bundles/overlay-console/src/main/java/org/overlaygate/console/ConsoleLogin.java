package org.overlaygate.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

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
 * so it is never served with the console's built-in default password. The right password is let
 * in at once, always; a wrong one is answered after a delay that grows with the failed logins of
 * the last minute ({@link FailedLogins}), so guessing is slowed down without anyone being locked
 * out.
 */
@Component(property = SecurityProvider.PROPERTY_ID + "=" + ConsoleLogin.ID)
public final class ConsoleLogin implements SecurityProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLogin.class);
    static final String ID = "overlaygate";
    static final String REALM = "Overlay Gate";

    /** Waits before a wrong password's answer; a test's does not sleep. */
    interface Pause {
        void pause(long millis) throws InterruptedException;
    }

    private byte[] userDigest;
    private byte[] passwordDigest;
    private String user;
    private final FailedLogins failures;
    private final Pause pause;

    public ConsoleLogin() {
        this(System::nanoTime, Thread::sleep);
    }

    private ConsoleLogin(java.util.function.LongSupplier nanoTime, Pause pause) {
        this.failures = new FailedLogins(nanoTime);
        this.pause = pause;
    }

    ConsoleLogin(String user, String password, java.util.function.LongSupplier nanoTime, Pause pause) {
        this(nanoTime, pause);
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
            if (!waitAfterFailure()) {
                response.setStatus(429);
                response.setHeader("Retry-After", "2");
                return null;
            }
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        return null;
    }

    /** Counts a failed login and waits its delay; false when too many answers wait already (answer 429 then). */
    private boolean waitAfterFailure() {
        long delay = failures.failed();
        if (delay == 0) {
            return true;
        }
        if (!failures.startWaiting()) {
            return false;
        }
        try {
            pause.pause(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failures.doneWaiting();
        }
        return true;
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
