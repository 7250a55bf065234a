package org.overlaygate.core.vnic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
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
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.benchmarks.PacketPathBenchmark;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.EncapBinding;
import org.overlaygate.core.os.GatherList;
import org.overlaygate.core.underlay.SendBatch;
import org.overlaygate.encap.vxlan.VxlanPlugin;

/**
 * The per-64-KiB work of the offloaded paths, without I/O (the mux and the TAP discard):
 * {@code segment64KiB} cuts a 64 KiB TSO frame from a TAP into 49 MSS segments and hands each
 * through the device's transmit path into a send batch, then flushes it; {@code coalesce49Segments}
 * takes the 49 segments of one flow as a receive thread does and writes them as one coalesced
 * frame. Both must allocate 0 B/op. In overlay-core's package because the segmenter is not public.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OffloadBenchmark {
    private static final int MSS = 1348;
    private static final int PAYLOAD = 49 * MSS;
    private static final long VM = 0x020000000001L;
    private static final long PEER = 0x020000000002L;

    private ByteBuffer tso;
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final SendBatch batch = new SendBatch();
    private final Counters counters = new Counters("bench");
    private TcpSegmenter.Sink toDevice;

    private final TcpCoalescer coalescer = new TcpCoalescer();
    private PortVnic vnic;
    private ByteBuffer received;
    private ByteBuffer pristine;
    private int[] offsets;
    private int[] lengths;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        EncapsulationPlugin plugin = new VxlanPlugin();
        Device device = new Device(DeviceConfig.builder("bench", 4242).mode(SearchMode.POINT).encapsulation("vxlan", Map.of()).build(),
                new PacketPathBenchmark.NullEnvironment());
        device.bind(new EncapBinding(plugin, "bench",
                plugin.newEncapsulator(PropertyValues.validate(plugin.properties(), Map.of("vxlan/listen_ip", "127.0.0.1"))),
                new PacketPathBenchmark.NullMux()));
        device.setPointDestination(UnderlayAddress.parse("10.0.0.2:4789"));
        PortVnic source = new PortVnic("bench", VM, device, VnicConfig.Kind.TAP, new NullTap());
        toDevice = new TcpSegmenter.Sink() {
            @Override
            public void frame(ByteBuffer buf, int off, int len) {
                device.fromVnic(source, buf, off, len, batch);
            }

            @Override
            public void reuse() {
                batch.flush();
            }
        };
        tso = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + 70_000);
        int h = BufferLayout.HEADROOM - 10;
        tso.put(h, (byte) 1).put(h + 1, (byte) 1);
        tso.order(ByteOrder.LITTLE_ENDIAN).putShort(h + 4, (short) MSS).order(ByteOrder.BIG_ENDIAN);
        tcp(tso, BufferLayout.HEADROOM, 0, PAYLOAD, 0x10);

        vnic = new PortVnic("bench", VM, device, VnicConfig.Kind.TAP, new NullTap());
        received = ByteBuffer.allocateDirect(49 * 2048);
        offsets = new int[49];
        lengths = new int[49];
        for (int i = 0; i < 49; i++) {
            offsets[i] = i * 2048 + 8;
            lengths[i] = tcp(received, offsets[i], i * MSS, MSS, 0x10);
            int l4 = offsets[i] + 34;
            received.putShort(l4 + 16, (short) ~fold(sum(received, l4, 20 + MSS, sum(received, offsets[i] + 26, 8, 6 + 20 + MSS))));
            received.putShort(offsets[i] + 24, (short) ~fold(sum(received, offsets[i] + 14, 20, 0)));
        }
        pristine = ByteBuffer.allocateDirect(received.capacity());
        pristine.put(0, received, 0, received.capacity());
    }

    /** An Ethernet/IPv4/TCP frame at {@code at} with {@code payload} bytes; its length. */
    private static int tcp(ByteBuffer b, int at, int seq, int payload, int flags) {
        for (int i = 0; i < 6; i++) {
            b.put(at + i, (byte) (PEER >>> (40 - 8 * i))).put(at + 6 + i, (byte) (VM >>> (40 - 8 * i)));
        }
        b.putShort(at + 12, (short) 0x0800);
        b.put(at + 14, (byte) 0x45).putShort(at + 16, (short) (40 + payload)).putShort(at + 20, (short) 0x4000).put(at + 22, (byte) 64)
                .put(at + 23, (byte) 6).putInt(at + 26, 0xC0A86401).putInt(at + 30, 0xC0A86402);
        b.putShort(at + 34, (short) 40000).putShort(at + 36, (short) 5201).putInt(at + 38, seq).putInt(at + 42, 1)
                .put(at + 46, (byte) 0x50).put(at + 47, (byte) flags).putShort(at + 48, (short) 512);
        for (int i = 0; i < payload; i++) {
            b.put(at + 54 + i, (byte) (i * 31));
        }
        return 54 + payload;
    }

    private static long sum(ByteBuffer b, int from, int length, long s) {
        for (int i = 0; i < length; i += 2) {
            s += ((b.get(from + i) & 0xFF) << 8) | (i + 1 < length ? b.get(from + i + 1) & 0xFF : 0);
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    /** A 64 KiB TSO frame: segmented, encapsulated into a batch, the batch flushed (to a mux that discards). */
    @Benchmark
    public void segment64KiB() {
        segmenter.process(tso, BufferLayout.HEADROOM - 10, BufferLayout.HEADROOM, 54 + PAYLOAD, counters, toDevice);
        batch.flush();
        segmenter.reset();
    }

    /** 49 in-order segments of one flow coalesced and written as one frame (to a TAP that discards). */
    @Benchmark
    public void coalesce49Segments() {
        received.put(0, pristine, 0, 2048); // writing rewrote the first segment's headers
        for (int i = 0; i < 49; i++) {
            coalescer.deliver(vnic, received, offsets[i], lengths[i]);
        }
        coalescer.flush();
    }

    /** A TAP that takes everything and does nothing. */
    static final class NullTap implements FramePort {
        @Override
        public String osName() {
            return "null";
        }

        @Override
        public long macAddress() {
            return VM;
        }

        @Override
        public int read(ByteBuffer direct, int offset, int timeoutMillis) {
            return 0;
        }

        @Override
        public String write(ByteBuffer direct, int offset, int length) {
            return null;
        }

        @Override
        public boolean takesCoalesced() {
            return true;
        }

        @Override
        public String writeCoalesced(GatherList frame) {
            return frame.count() == 50 ? null : "unexpected_pieces";
        }

        @Override
        public void close() {
        }
    }
}
