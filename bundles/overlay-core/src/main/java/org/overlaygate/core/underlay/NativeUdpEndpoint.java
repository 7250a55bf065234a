package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.Multicast;
import org.overlaygate.core.os.RecvVector;
import org.overlaygate.core.os.SendVector;
import org.overlaygate.core.os.UdpSocket;

/**
 * A UDP endpoint over IPv4 on a native {@link UdpSocket}. Receiving goes through a
 * {@link RecvVector}: with mmsg, up to {@value #SLOTS} datagrams (or, with UDP_GRO,
 * {@value #TRAIN_SLOTS} trains of up to 64 KiB) per recvmmsg; without, one per recvmsg. Sending a
 * batch goes through {@link SendBatch#sendThrough}.
 */
final class NativeUdpEndpoint extends UdpEndpoint implements SendBatch.MessageSocket {
    /** Datagrams one recvmmsg takes without GRO, each up to a jumbo frame and its header. */
    static final int SLOTS = 32;
    /** Trains one recvmmsg takes with GRO, each up to 64 KiB. */
    static final int TRAIN_SLOTS = 8;
    private static final int DATAGRAM_ROOM = BufferLayout.HEADROOM + BufferLayout.MAX_FRAME;
    private static final int TRAIN_ROOM = 65536;

    private final UdpSocket socket;
    private final SenderCache senders = new SenderCache();
    private RecvVector received;
    private boolean many;

    NativeUdpEndpoint(UdpSocket socket) {
        this.socket = socket;
    }

    @Override
    void prepareReceive(boolean mmsg, boolean gro) {
        many = mmsg;
        // Without GRO a datagram larger than a jumbo frame would be dropped by the device anyway;
        // one slot (no mmsg) keeps room for any datagram, so that it is counted as too big here.
        received = new RecvVector(mmsg ? (gro ? TRAIN_SLOTS : SLOTS) : 1, gro || !mmsg ? TRAIN_ROOM : DATAGRAM_ROOM, 0);
    }

    @Override
    String enableReceiveOffload() throws IOException {
        return socket.enableReceiveOffload();
    }

    @Override
    String probeSendOffload() throws IOException {
        return socket.probeSendOffload();
    }

    @Override
    void setZeroChecksum(boolean zero) throws IOException {
        socket.setZeroChecksum(zero);
    }

    @Override
    String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination) {
        try {
            if (!destination.isIpv4()) {
                return DropReasons.SEND_FAILED; // an IPv4 underlay cannot reach an IPv6 peer
            }
            return socket.send(buf, offset, length, destination.ipv4Bits(), destination.port()) ? null : DropReasons.SEND_QUEUE_FULL;
        } catch (IOException e) {
            return DropReasons.SEND_FAILED;
        } finally {
            buf.clear();
        }
    }

    @Override
    public String sendOne(ByteBuffer buf, int off, int len, UnderlayAddress dest) {
        return send(buf, off, len, dest);
    }

    @Override
    public int send(SendVector v, int first) throws IOException {
        return socket.send(v, first);
    }

    @Override
    void send(SendBatch batch, int from, int to, boolean mmsg, boolean gso, UdpMux mux) {
        if (!mmsg) {
            for (int i = from; i < to; i++) {
                batch.outcome[i] = send(batch.buffer[i], batch.offset[i], batch.length[i], batch.destination[i]);
            }
            return;
        }
        String refusal = batch.sendThrough(this, from, to, true, gso);
        if (refusal != null) {
            mux.sendOffloadRefused(refusal);
        }
    }

    @Override
    void setGroupSending(String interfaceName, InetAddress local, int ttl) throws IOException {
        int ifindex = interfaceName == null ? 0 : Multicast.interfaceIndex(interfaceName);
        socket.setMulticastSending(interfaceName == null ? ipv4(local) : 0, ifindex, ttl, false);
    }

    @Override
    public void busyPoll(long nanos) {
        socket.setBusyPoll(nanos);
    }

    @Override
    public int receive() throws IOException {
        return socket.receive(received, POLL_MILLIS, many);
    }

    @Override
    public ByteBuffer buffer() {
        return received.buffer();
    }

    @Override
    public int offset(int i) {
        return received.offset(i);
    }

    @Override
    public int length(int i) {
        if (received.truncated(i)) {
            return UNREADABLE;
        }
        int n = received.length(i);
        return n == 0 ? EMPTY : n;
    }

    @Override
    public int segmentSize(int i) {
        return received.segmentSize(i);
    }

    @Override
    public InetAddress sender(int i) {
        return senders.of(received.sourceAddress(i));
    }

    @Override
    public int senderPort(int i) {
        return received.sourcePort(i);
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public void releaseBuffers() {
        RecvVector r = received;
        if (r != null) {
            r.free();
        }
    }
}
