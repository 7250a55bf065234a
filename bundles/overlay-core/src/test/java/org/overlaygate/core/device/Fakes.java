package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlayReceiver;
import org.overlaygate.core.underlay.UnderlaySocket;

/** Test doubles for the device's surroundings. */
final class Fakes {
    private Fakes() {
    }

    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;
    static final long MAC_REMOTE = 0x020000000099L;
    static final UnderlayAddress DEST = UnderlayAddress.parse("10.0.0.2:4789");

    /** An Ethernet frame: dst, src, IPv4 ethertype, and a payload of {@code payload} bytes. */
    static byte[] frame(long dst, long src, int payload) {
        byte[] f = new byte[14 + payload];
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = 0x08;
        for (int i = 14; i < f.length; i++) {
            f[i] = (byte) i;
        }
        return f;
    }

    /** Puts a frame into a direct buffer behind the device's headroom, as a VNIC reader does. */
    static ByteBuffer buffer(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(Device.HEADROOM + Device.MAX_FRAME);
        b.put(Device.HEADROOM, frame);
        return b;
    }

    static final class Env implements DeviceEnvironment {
        final List<MissRequestImpl> misses = new ArrayList<>();
        final List<Runnable> offloaded = new ArrayList<>();
        final Socket socket = new Socket();
        PendingBudget budget = new PendingBudget(16 * 1024 * 1024);
        int missCapacity = 1000;
        long dropLifetime = 5_000_000_000L;

        @Override
        public boolean offerMiss(MissRequestImpl request) {
            if (misses.size() >= missCapacity) {
                return false;
            }
            return misses.add(request);
        }

        @Override
        public PendingBudget pendingBudget() {
            return budget;
        }

        @Override
        public long dropLifetimeNanos() {
            return dropLifetime;
        }

        @Override
        public UnderlaySocket acquireSocket(UnderlayKey key, UnderlayTransport transport) {
            socket.key = key;
            return socket;
        }

        @Override
        public void releaseSocket(UnderlaySocket s) {
        }

        @Override
        public void offload(Runnable task) {
            offloaded.add(task);
        }
    }

    /** Records what is sent: the destination and a copy of the bytes (header and frame). */
    static final class Socket implements UnderlaySocket {
        UnderlayKey key;
        final List<UnderlayAddress> destinations = new ArrayList<>();
        final List<byte[]> packets = new ArrayList<>();
        boolean record = true;
        long sent;
        Encapsulator decapsulator;

        @Override
        public UnderlayKey key() {
            return key;
        }

        @Override
        public boolean send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
            sent++;
            if (record) {
                byte[] copy = new byte[length];
                buf.get(offset, copy);
                packets.add(copy);
                destinations.add(destination);
            }
            return true;
        }

        @Override
        public void attach(long vnetId, UnderlayReceiver receiver) throws DataPathException {
        }

        @Override
        public void detach(long vnetId, UnderlayReceiver receiver) {
        }

        @Override
        public int attached() {
            return 1;
        }

        @Override
        public void setDecapsulator(Encapsulator d) {
            decapsulator = d;
        }

        @Override
        public DeviceStats.Counters stats() {
            return null;
        }

        @Override
        public void close() {
        }
    }

    /** A 4-byte header "HDR" + vnet byte, enough to see that encapsulation happened. */
    static final class Encap implements EncapsulationPlugin, Encapsulator {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public UnderlayTransport transport() {
            return UnderlayTransport.udp(4789, "fake/listen_ip", "fake/listen_port");
        }

        @Override
        public int headerLength() {
            return 4;
        }

        @Override
        public int overheadIpv4() {
            return 46;
        }

        @Override
        public int defaultMtu() {
            return 1400;
        }

        @Override
        public long minVnetId() {
            return 0;
        }

        @Override
        public long maxVnetId() {
            return 255;
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of();
        }

        @Override
        public Encapsulator newEncapsulator(PropertyValues values) {
            return this;
        }

        @Override
        public void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash) {
            buf.put(index, (byte) 'H').put(index + 1, (byte) 'D').put(index + 2, (byte) 'R').put(index + 3, (byte) vnetId);
        }

        @Override
        public boolean decapsulate(ByteBuffer buf, DecapResult result) {
            if (buf.remaining() < 4) {
                return result.drop("short");
            }
            long vnet = buf.get(buf.position() + 3) & 0xFF;
            buf.position(buf.position() + 4);
            return result.accept(vnet);
        }
    }

    /** A VNIC that keeps copies of what is delivered to it. */
    static final class Port implements LocalPort {
        final String name;
        final long mac;
        final Counters counters;
        final List<byte[]> delivered = new ArrayList<>();

        Port(String name, long mac) {
            this.name = name;
            this.mac = mac;
            this.counters = new Counters(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public Counters counters() {
            return counters;
        }

        @Override
        public void deliver(ByteBuffer buf, int offset, int length) {
            byte[] copy = new byte[length];
            buf.get(offset, copy);
            delivered.add(copy);
            counters.out(length);
        }
    }

    static InetAddress sender() {
        return UnderlayAddress.parse("10.0.0.9").address();
    }
}
