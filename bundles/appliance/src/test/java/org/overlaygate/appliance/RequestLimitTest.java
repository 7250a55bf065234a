package org.overlaygate.appliance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.Test;

public class RequestLimitTest {

    private static ServletRequest from(String address) {
        return (ServletRequest) Proxy.newProxyInstance(ServletRequest.class.getClassLoader(), new Class<?>[] {ServletRequest.class},
                (p, m, a) -> m.getName().equals("getRemoteAddr") ? address : null);
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
    public void oneAddressGetsItsShareAndNoMore() throws Exception {
        RequestLimit limit = new RequestLimit(3);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(3);
        FilterChain slow = (req, res) -> {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        List<Thread> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                try {
                    limit.doFilter(from("10.0.0.1"), response(new AtomicInteger()), slow);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            held.add(t);
        }
        assertTrue(inside.await(10, TimeUnit.SECONDS));

        AtomicInteger refused = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        limit.doFilter(from("10.0.0.1"), response(refused), (req, res) -> served.incrementAndGet());
        assertEquals("a fourth at once from the same address", 429, refused.get());
        AtomicInteger other = new AtomicInteger();
        limit.doFilter(from("10.0.0.2"), response(other), (req, res) -> served.incrementAndGet());
        assertEquals("another address is served", 0, other.get());
        assertEquals(1, served.get());

        release.countDown();
        for (Thread t : held) {
            t.join(10_000);
        }
        assertEquals("nothing left counted", 0, limit.inProgress());
        AtomicInteger again = new AtomicInteger();
        limit.doFilter(from("10.0.0.1"), response(again), (req, res) -> served.incrementAndGet());
        assertEquals(0, again.get());
        assertEquals(2, served.get());
    }
}
