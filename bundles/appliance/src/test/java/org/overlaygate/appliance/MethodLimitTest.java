package org.overlaygate.appliance;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.Test;

public class MethodLimitTest {

    private static HttpServletRequest request(String method) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                (p, m, a) -> m.getName().equals("getMethod") ? method : null);
    }

    private static HttpServletResponse response(AtomicInteger status) {
        return (HttpServletResponse) Proxy.newProxyInstance(HttpServletResponse.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
                (p, m, a) -> {
                    if (m.getName().equals("sendError")) {
                        status.set((Integer) a[0]);
                    }
                    return null;
                });
    }

    @Test
    public void traceAndTrackAreRefusedAndTheRestGoesOn() throws Exception {
        MethodLimit filter = new MethodLimit();
        AtomicInteger passed = new AtomicInteger();
        FilterChain chain = (req, res) -> passed.incrementAndGet();
        for (String m : new String[] {"TRACE", "trace", "TRACK"}) {
            AtomicInteger status = new AtomicInteger();
            filter.doFilter(request(m), response(status), chain);
            assertEquals(m, 405, status.get());
        }
        assertEquals("none reached a servlet", 0, passed.get());
        for (String m : new String[] {"GET", "HEAD", "POST", "OPTIONS"}) {
            AtomicInteger status = new AtomicInteger();
            filter.doFilter(request(m), response(status), chain);
            assertEquals(m, 0, status.get());
        }
        assertEquals(4, passed.get());
    }
}
