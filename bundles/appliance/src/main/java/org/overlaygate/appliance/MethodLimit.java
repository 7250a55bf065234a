package org.overlaygate.appliance;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * The HTTP server (metrics, web console) answers only the methods they use: {@code TRACE} (and
 * {@code TRACK}), which a servlet answers by echoing the request, the console's credentials
 * included, to script that can read the answer (cross-site tracing), is answered 405. A filter on
 * every context of the HTTP whiteboard, like {@link RequestLimit}.
 */
@Component(service = Filter.class, property = {"osgi.http.whiteboard.filter.pattern=/*",
    "osgi.http.whiteboard.filter.name=overlaygate-method-limit", "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=*)"})
public final class MethodLimit implements Filter {
    static final Set<String> REFUSED = Set.of("TRACE", "TRACK");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request instanceof HttpServletRequest
                && REFUSED.contains(((HttpServletRequest) request).getMethod().toUpperCase(Locale.ROOT))) {
            HttpServletResponse http = (HttpServletResponse) response;
            http.setHeader("Allow", "GET, HEAD, POST");
            http.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method not allowed");
            return;
        }
        chain.doFilter(request, response);
    }
}
