package org.overlaygate.router;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;

/**
 * The router's per-packet work without the data path: a 1400-byte IPv4 and IPv6 packet routed
 * between two overlays (parse, martian checks, longest-prefix match over 32 routes, TTL with the
 * incremental checksum, neighbour lookup, the copy with the MACs rewritten), handed to a port that
 * discards it. Baseline in the same run: only the copy of the frame into a direct buffer, which
 * any forwarding must do. Run with {@code -prof gc}: routing must allocate 0 B/op. In this
 * package because the router's classes are private to its bundle.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {
    private static final long ROUTER = 0x0252_0000_0001L;
    private static final long VM1 = 0x0200_0000_0015L;
    private static final long VM2 = 0x0200_0000_0027L;

    /** An attached port that drops what it is given, counting it. */
    static final class Discard implements AttachedPort {
        private final OverlayDevice device;
        long frames;

        Discard(OverlayDevice device) {
            this.device = device;
        }

        @Override
        public String name() {
            return "discard";
        }

        @Override
        public long mac() {
            return ROUTER;
        }

        @Override
        public int vlan() {
            return org.overlaygate.api.datapath.VnicConfig.NO_VLAN;
        }

        @Override
        public OverlayDevice overlay() {
            return device;
        }

        @Override
        public void send(ByteBuffer frame) {
            frames++;
        }

        @Override
        public void sendInPlace(ByteBuffer direct, int offset, int length) {
            frames++;
        }

        @Override
        public DeviceStats.Counters stats() {
            return null;
        }

        @Override
        public void close() {
        }
    }

    private RouterPort in;
    private ByteBuffer v4;
    private int v4Length;
    private ByteBuffer v6;
    private int v6Length;
    private ByteBuffer copyTarget;

    private static OverlayDevice device(int mtu) {
        Integer boxed = mtu;
        return (OverlayDevice) java.lang.reflect.Proxy.newProxyInstance(RoutingBenchmark.class.getClassLoader(),
                new Class<?>[] {OverlayDevice.class}, (p, m, a) -> m.getName().equals("mtu") ? boxed : null);
    }

    @Setup
    public void setUp() {
        List<RouterDefinition.RouteSpec> statics = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            statics.add(RouterDefinition.RouteSpec.parse("172." + (16 + i) + ".0.0/16 via 10.2.0.254"));
        }
        RouterDefinition d = new RouterDefinition("bench", ROUTER,
                List.of(new RouterDefinition.PortDefinition("ovl1", ROUTER, List.of(Prefix.parse("10.1.0.1/24"), Prefix.parse("2001:db8:1::1/64"))),
                        new RouterDefinition.PortDefinition("ovl2", ROUTER, List.of(Prefix.parse("10.2.0.1/24"), Prefix.parse("2001:db8:2::1/64")))),
                statics);
        Router router = new Router(d, System::nanoTime);
        router.resolver = (overlay, hi, lo) -> CompletableFuture.completedFuture(OptionalLong.of(VM2));
        RouterPort[] ports = router.config().ports;
        ports[0].link = PortLink.of(new Discard(device(9000)));
        ports[1].link = PortLink.of(new Discard(device(9000)));
        in = ports[0];
        v4 = ByteBuffer.allocateDirect(2048);
        v4Length = ipv4(v4, 64);
        v6 = ByteBuffer.allocateDirect(2048);
        v6Length = ipv6(v6, 64);
        copyTarget = ByteBuffer.allocateDirect(2048);
        in.receive(v4, 64, v4Length); // resolves the next hops
        in.receive(v6, 64, v6Length);
    }

    private static int ipv4(ByteBuffer b, int o) {
        int len = 14 + 1400;
        Packets.ethernet(b, o, ROUTER, VM1, Packets.ETHERTYPE_IPV4);
        Packets.ipv4Header(b, o + 14, 1400, 64, Packets.PROTO_UDP, 0x0A01_0005, 0x0A02_0007);
        return len;
    }

    private static int ipv6(ByteBuffer b, int o) {
        long[] src = Ip.parse("2001:db8:1::5");
        long[] dst = Ip.parse("2001:db8:2::7");
        Packets.ethernet(b, o, ROUTER, VM1, Packets.ETHERTYPE_IPV6);
        Packets.ipv6Header(b, o + 14, 1360, Packets.PROTO_UDP, 64, src[0], src[1], dst[0], dst[1]);
        return 14 + 1400;
    }

    @Benchmark
    public void routeIpv4() {
        in.receive(v4, 64, v4Length);
    }

    @Benchmark
    public void routeIpv6() {
        in.receive(v6, 64, v6Length);
    }

    @Benchmark
    public ByteBuffer baselineCopy() {
        return copyTarget.put(64, v4, 64, v4Length);
    }
}
