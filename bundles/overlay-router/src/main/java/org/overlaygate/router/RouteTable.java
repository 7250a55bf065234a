package org.overlaygate.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The routes in force, immutable, for a longest-prefix match that allocates nothing: the routes
 * ordered by prefix length, longest first (connected before static at the same prefix, as a
 * connected route's metric wins in Linux), scanned until the first one that contains the address.
 * A router's table is small (its subnets and a few static routes, bounded by
 * {@link #MAX_ROUTES}), so a scan of flat arrays beats a trie here; a table of thousands would want
 * one.
 */
final class RouteTable {
    static final int MAX_ROUTES = 1024;
    static final RouteTable EMPTY = new RouteTable(List.of());

    private final Route[] routes;
    private final long[] netHi;
    private final long[] netLo;
    private final long[] maskHi;
    private final long[] maskLo;
    private final boolean[] v4;

    RouteTable(List<Route> in) {
        List<Route> sorted = new ArrayList<>(in);
        sorted.sort(Comparator.<Route>comparingInt(r -> -r.prefix.length).thenComparing(r -> r.kind));
        int n = sorted.size();
        routes = sorted.toArray(new Route[0]);
        netHi = new long[n];
        netLo = new long[n];
        maskHi = new long[n];
        maskLo = new long[n];
        v4 = new boolean[n];
        for (int i = 0; i < n; i++) {
            Prefix p = routes[i].prefix;
            netHi[i] = p.hi & p.maskHi;
            netLo[i] = p.lo & p.maskLo;
            maskHi[i] = p.maskHi;
            maskLo[i] = p.maskLo;
            v4[i] = p.isV4();
        }
    }

    /** The most specific route of the address's family containing it, or {@code null}. */
    Route lookup(long hi, long lo) {
        boolean family = Ip.isV4(hi, lo);
        for (int i = 0; i < routes.length; i++) {
            if ((hi & maskHi[i]) == netHi[i] && (lo & maskLo[i]) == netLo[i] && v4[i] == family) {
                return routes[i];
            }
        }
        return null;
    }

    List<Route> routes() {
        return List.of(routes);
    }

    int size() {
        return routes.length;
    }
}
