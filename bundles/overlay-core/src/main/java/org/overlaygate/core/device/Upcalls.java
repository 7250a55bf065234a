package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AddressRequest;
import org.overlaygate.api.datapath.LearnedSource;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.NotHere;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.search.LookupRequest;

/** The upcalls a device raises, one class per {@link Upcall.Kind}. */
public final class Upcalls {
    private Upcalls() {
    }

    /** What every upcall shares: its device, and the hand-over to varpd. */
    public abstract static class Base implements Upcall {
        final Device device;

        Base(Device device) {
            this.device = device;
        }

        @Override
        public final String deviceName() {
            return device.name();
        }

        @Override
        public final long vnetId() {
            return device.vnetId();
        }

        /** Called once, when the upcall leaves the queue. */
        public final void markTaken() {
            device.upcallChannel().taken();
            taken(device.nanoTime());
        }

        /** What taking this upcall changes besides the device's share: nothing, but for misses. */
        void taken(long nowNanos) {
        }

        @Override
        public String toString() {
            return device.name() + ": " + kind();
        }
    }

    /**
     * A miss (or the refresh of an aged VALID entry), answered into its cache entry. Which request
     * of the entry it is ({@code sequence}) decides whether taking it moves the entry's request
     * state: a superseded one taken late does not.
     */
    static final class Miss extends Base implements MissRequest {
        final CacheEntry entry;
        private final LookupRequest request;
        private final boolean refresh;
        final int sequence;

        Miss(Device device, CacheEntry entry, LookupRequest request, boolean refresh, int sequence) {
            super(device);
            this.entry = entry;
            this.request = request;
            this.refresh = refresh;
            this.sequence = sequence;
        }

        @Override
        void taken(long nowNanos) {
            synchronized (entry) {
                if (entry.requestSequence == sequence && entry.requestState == CacheEntry.QUEUED) {
                    entry.requestState = CacheEntry.TAKEN;
                    entry.requestStateNanos = nowNanos;
                }
            }
        }

        @Override
        public Kind kind() {
            return Kind.MISS;
        }

        @Override
        public LookupRequest request() {
            return request;
        }

        @Override
        public boolean isRefresh() {
            return refresh;
        }

        @Override
        public void respond(UnderlayAddress destination) {
            device.resolver().answer(entry, destination);
        }

        @Override
        public void drop(String reason) {
            device.resolver().answerDrop(entry, reason);
        }

        @Override
        public String toString() {
            return device.name() + ": " + (refresh ? "refresh " : "") + request;
        }
    }

    static final class Learned extends Base implements LearnedSource {
        private final long mac;
        private final InetAddress address;
        private final int port;

        Learned(Device device, long mac, InetAddress address, int port) {
            super(device);
            this.mac = mac;
            this.address = address;
            this.port = port;
        }

        @Override
        public Kind kind() {
            return Kind.LEARNED;
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public InetAddress address() {
            return address;
        }

        @Override
        public int port() {
            return port;
        }
    }

    static final class NotHereReport extends Base implements NotHere {
        private final long mac;
        private final InetAddress sender;

        NotHereReport(Device device, long mac, InetAddress sender) {
            super(device);
            this.mac = mac;
            this.sender = sender;
        }

        @Override
        public Kind kind() {
            return Kind.NOT_HERE;
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public InetAddress sender() {
            return sender;
        }
    }

    static final class Address extends Base implements AddressRequest {
        private final byte[] frame;

        Address(Device device, byte[] frame) {
            super(device);
            this.frame = frame;
        }

        @Override
        public Kind kind() {
            return Kind.ADDRESS_REQUEST;
        }

        @Override
        public ByteBuffer frame() {
            return ByteBuffer.wrap(frame).asReadOnlyBuffer();
        }
    }
}
