package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlayMux;
import org.overlaygate.core.underlay.UnderlayReceiver;
import org.overlaygate.testsupport.Frames;

/** Test doubles for the device's surroundings. */
final class Fakes {
    private Fakes() {
    }

    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;
    static final long MAC_REMOTE = 0x020000000099L;
    static final UnderlayAddress DEST = UnderlayAddress.parse("10.0.0.2:4789");
    static final UnderlayAddress LISTEN = UnderlayAddress.parse("10.0.0.1:4789");

    /** An Ethernet frame: dst, src, IPv4 ethertype, and a payload of {@code payload} bytes. */
    static byte[] frame(long dst, long src, int payload) {
        return Frames.ethernet(dst, src, payload);
    }

    /** Puts a frame into a direct buffer behind the device's headroom, as a VNIC reader does. */
    static ByteBuffer buffer(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME);
        b.put(BufferLayout.HEADROOM, frame);
        return b;
    }

    /** The environment, with a clock the test moves and the upcalls kept in a list. */
    static final class Env implements DeviceEnvironment {
        final List<Upcalls.Base> upcalls = new ArrayList<>();
        PendingBudget budget = new PendingBudget(16 * 1024 * 1024);
        int upcallCapacity = 1000;
        int share = 1000;
        long dropLifetime = 5_000_000_000L;
        long missRetry = 2_000_000_000L;
        long now = 1_000_000_000_000L;

        @Override
        public boolean offerUpcall(Upcalls.Base upcall) {
            if (upcalls.size() >= upcallCapacity) {
                return false;
            }
            return upcalls.add(upcall);
        }

        @Override
        public int upcallShare() {
            return share;
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
        public long missRetryNanos() {
            return missRetry;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        void advanceMillis(long millis) {
            now += millis * 1_000_000L;
        }

        /** Upcalls of one kind, as varpd would take them (marked taken). */
        @SuppressWarnings("unchecked")
        <T extends Upcall> List<T> take(Upcall.Kind kind) {
            List<T> out = new ArrayList<>();
            for (Upcalls.Base u : new ArrayList<>(upcalls)) {
                if (u.kind() == kind) {
                    upcalls.remove(u);
                    u.markTaken();
                    out.add((T) u);
                }
            }
            return out;
        }

        long count(Upcall.Kind kind) {
            return upcalls.stream().filter(u -> u.kind() == kind).count();
        }
    }

    /** Records what is sent: the destination and a copy of the bytes (header and frame). */
    static final class Mux implements UnderlayMux {
        final UnderlayKey key = new UnderlayKey("fake", UnderlayTransport.udp(4789, "fake/listen_ip", "fake/listen_port"), LISTEN);
        final List<UnderlayAddress> destinations = new ArrayList<>();
        final List<byte[]> packets = new ArrayList<>();
        boolean record = true;
        String refuse;
        long sent;
        Decapsulator decapsulator;
        final List<String> joined = new ArrayList<>();

        @Override
        public UnderlayKey key() {
            return key;
        }

        @Override
        public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
            if (refuse != null) {
                return refuse;
            }
            sent++;
            if (record) {
                byte[] copy = new byte[length];
                buf.get(offset, copy);
                packets.add(copy);
                destinations.add(destination);
            }
            return null;
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
        public void setDecapsulator(Decapsulator d) {
            decapsulator = d;
        }

        @Override
        public AutoCloseable joinGroup(InetAddress group, String interfaceName, int ttl) throws DataPathException {
            if ("nosuch0".equals(interfaceName)) {
                throw new DataPathException("no network interface nosuch0");
            }
            String what = group.getHostAddress() + "/" + interfaceName + "/" + ttl;
            joined.add(what);
            return () -> joined.remove(what);
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
    static final class Encap implements EncapsulationPlugin, Encapsulator, Decapsulator {
        /** As Geneve: a VM's own tags cross (true); as VXLAN: they are removed (false). */
        boolean carriesTags;

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public boolean carriesInnerVlanTags() {
            return carriesTags;
        }

        /** VXLAN and Geneve: the tags of VLAN VNICs cross. */
        @Override
        public boolean innerVlanTagsConfigurable() {
            return true;
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
        public Decapsulator decapsulator() {
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
    static class Port implements LocalPort {
        final String name;
        final long mac;
        final Counters counters;
        final List<byte[]> delivered = new ArrayList<>();
        final int vlan;

        Port(String name, long mac) {
            this(name, mac, VlanTags.NONE);
        }

        Port(String name, long mac, int vlan) {
            this.name = name;
            this.mac = mac;
            this.counters = new Counters(name);
            this.vlan = vlan;
        }

        @Override
        public int vlan() {
            return vlan;
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
