package org.overlaygate.benchmarks;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.DeviceEnvironment;
import org.overlaygate.core.device.EncapBinding;
import org.overlaygate.core.device.LocalPort;
import org.overlaygate.core.device.PendingBudget;
import org.overlaygate.core.device.Upcalls;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlayMux;
import org.overlaygate.core.underlay.UnderlayReceiver;
import org.overlaygate.encap.vxlan.VxlanPlugin;

/**
 * The per-packet work of the data path, without I/O: VXLAN encapsulation and decapsulation, a
 * target cache lookup, and the whole transmit hit path (switch decision, cache lookup, flow hash,
 * encapsulation, hand-off to a socket that discards). Baseline in the same run: a lookup in a
 * ConcurrentHashMap keyed by boxed Long, the obvious JDK way to key by MAC. Run with
 * {@code -prof gc} to see allocation per operation (gc.alloc.rate.norm), which must be 0 B on
 * the hit path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketPathBenchmark {
    private static final long LOCAL = 0x020000000001L;
    private static final int CACHED = 4096;

    private Encapsulator vxlan;
    private Decapsulator decapsulator;
    private ByteBuffer packet;
    private ByteBuffer header;
    private final DecapResult result = new DecapResult();
    private Device device;
    private LocalPort port;
    private ByteBuffer frame;
    private long[] macs;
    private int next;
    private Map<Long, UnderlayAddress> boxedMap;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        EncapsulationPlugin plugin = new VxlanPlugin();
        decapsulator = plugin.decapsulator();
        vxlan = plugin.newEncapsulator(PropertyValues.validate(plugin.properties(), Map.of("vxlan/listen_ip", "127.0.0.1")));
        header = ByteBuffer.allocateDirect(64);
        packet = ByteBuffer.allocateDirect(8 + 1400);
        vxlan.encapsulate(packet, 0, 4242, 0);

        device = new Device(DeviceConfig.builder("bench", 4242).mode(SearchMode.DYNAMIC).encapsulation("vxlan", Map.of()).build(),
                new NullEnvironment());
        device.bind(new EncapBinding(plugin, "bench", vxlan, new NullMux()));
        port = new NullPort();
        device.addPort(port);
        macs = new long[CACHED];
        boxedMap = new ConcurrentHashMap<>();
        UnderlayAddress dest = UnderlayAddress.parse("10.0.0.2:4789");
        for (int i = 0; i < CACHED; i++) {
            macs[i] = 0x0200_0010_0000L + i * 7919L;
            device.setTarget(macs[i], dest, TargetEntry.Origin.LOOKUP);
            boxedMap.put(macs[i], dest);
        }
        frame = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME);
        MacAddress.write(frame, BufferLayout.HEADROOM + 6, LOCAL);
        frame.putShort(BufferLayout.HEADROOM + 12, (short) 0x0800);
        frame.put(BufferLayout.HEADROOM + 14, (byte) 0x45);
        frame.put(BufferLayout.HEADROOM + 23, (byte) 6);
    }

    @Benchmark
    public void encapsulate() {
        vxlan.encapsulate(header, 8, 4242, 0x1234);
    }

    @Benchmark
    public long decapsulate() {
        packet.clear();
        decapsulator.decapsulate(packet, result);
        return result.vnetId();
    }

    /** The JDK baseline: a concurrent map keyed by boxed Long (boxing allocates for most MACs). */
    @Benchmark
    public Object baselineBoxedLookup() {
        long mac = macs[next++ & (CACHED - 1)];
        return boxedMap.get(mac);
    }

    /** The whole transmit hit path for a cached destination: lookup, hash, encapsulate, send. */
    @Benchmark
    public void transmitHitPath() {
        long mac = macs[next++ & (CACHED - 1)];
        MacAddress.write(frame, BufferLayout.HEADROOM, mac);
        device.fromVnic(port, frame, BufferLayout.HEADROOM, 1400);
    }

    /** Discards what it is given; no I/O. */
    public static final class NullMux implements UnderlayMux {
        private final UnderlayKey key = new UnderlayKey("vxlan", new VxlanPlugin().transport(), UnderlayAddress.parse("127.0.0.1:4789"));

        @Override
        public UnderlayKey key() {
            return key;
        }

        @Override
        public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
            return null;
        }

        @Override
        public void attach(long vnetId, UnderlayReceiver receiver) {
        }

        @Override
        public void detach(long vnetId, UnderlayReceiver receiver) {
        }

        @Override
        public int attached() {
            return 1;
        }

        @Override
        public void setDecapsulator(Decapsulator decapsulator) {
        }

        @Override
        public AutoCloseable joinGroup(InetAddress group, String interfaceName, int ttl) {
            return () -> { };
        }

        @Override
        public DeviceStats.Counters stats() {
            return null;
        }

        @Override
        public void close() {
        }
    }

    /** No upcalls are expected on the hit path; the clock is the system's. */
    public static final class NullEnvironment implements DeviceEnvironment {
        private final PendingBudget budget = new PendingBudget(1 << 20);

        @Override
        public boolean offerUpcall(Upcalls.Base upcall) {
            return false;
        }

        @Override
        public int upcallShare() {
            return 0;
        }

        @Override
        public PendingBudget pendingBudget() {
            return budget;
        }

        @Override
        public long dropLifetimeNanos() {
            return 1_000_000_000L;
        }

        @Override
        public long missRetryNanos() {
            return 1_000_000_000L;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }

    static final class NullPort implements LocalPort {
        private final Counters counters = new Counters("bench");

        @Override
        public String name() {
            return "bench";
        }

        @Override
        public long mac() {
            return LOCAL;
        }

        @Override
        public Counters counters() {
            return counters;
        }

        @Override
        public void deliver(ByteBuffer buf, int offset, int length) {
        }
    }

}
