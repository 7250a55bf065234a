package org.overlaygate.appliance;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * One client cannot take the HTTP server (metrics, web console): at most
 * {@code overlaygate.http.requests.per.address} (8) requests of one address are served at once;
 * past that it is answered 429 at once, and other addresses are not held up. A filter on every
 * context of the HTTP whiteboard, so it covers /metrics and the console alike; Jetty's own bounds
 * (threads, idle time, header and request sizes) are set in etc/config.properties.
 */
@Component(service = Filter.class, property = {"osgi.http.whiteboard.filter.pattern=/*",
    "osgi.http.whiteboard.filter.name=overlaygate-request-limit", "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=*)"})
public final class RequestLimit implements Filter {
    static final String PROPERTY = "overlaygate.http.requests.per.address";
    static final int DEFAULT = 8;

    private final ConcurrentHashMap<String, AtomicInteger> inProgress = new ConcurrentHashMap<>();
    private int max = DEFAULT;

    public RequestLimit() {
    }

    RequestLimit(int max) {
        this.max = max;
    }

    @Activate
    void activate(BundleContext context) {
        String v = context.getProperty(PROPERTY);
        if (v != null && !v.isBlank()) {
            max = Integer.parseInt(v.trim());
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        String address = String.valueOf(request.getRemoteAddr());
        AtomicInteger n = inProgress.compute(address, (a, c) -> {
            AtomicInteger count = c == null ? new AtomicInteger() : c;
            count.incrementAndGet();
            return count;
        });
        try {
            if (n.get() > max) {
                HttpServletResponse http = (HttpServletResponse) response;
                http.setHeader("Retry-After", "1");
                http.sendError(429, "too many requests in progress from " + address);
                return;
            }
            chain.doFilter(request, response);
        } finally {
            inProgress.computeIfPresent(address, (a, c) -> c.decrementAndGet() == 0 ? null : c);
        }
    }

    /** Requests in progress now, from every address; for tests. */
    int inProgress() {
        return inProgress.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
