package org.overlaygate.core.underlay;

import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.SendVector;

/**
 * The packets one thread sends while it handles one batch of frames (the segments of a TCP
 * super-frame, the frames a VNIC's reader took at one wake-up), held until {@link #flush()} and
 * then sent by their muxes with as few system calls as the sockets allow: one sendmmsg(2) for many
 * packets, and consecutive packets of one flow to one destination as one UDP GSO train.
 *
 * <p>The packets stay where they are (nothing is copied): the caller must leave each one's bytes
 * alone until the flush, which it makes before it reuses them. Every packet is accounted for at
 * the flush, exactly once: one the kernel took counts as out on the counters given with it, one it
 * refused as a drop by the reason, on the other counters given with it, never as out.
 *
 * <p>One per thread; allocates nothing.
 */
public final class SendBatch {
    /** Packets a batch holds; adding one more flushes first. */
    public static final int CAPACITY = 256;
    /** Messages one sendmmsg(2) call carries at most. */
    static final int MESSAGES = 64;

    final UnderlayMux[] mux = new UnderlayMux[CAPACITY];
    final ByteBuffer[] buffer = new ByteBuffer[CAPACITY];
    final int[] offset = new int[CAPACITY];
    final int[] length = new int[CAPACITY];
    final UnderlayAddress[] destination = new UnderlayAddress[CAPACITY];
    final int[] flowHash = new int[CAPACITY];
    final Counters[] sent = new Counters[CAPACITY];
    final int[] sentBytes = new int[CAPACITY];
    final Counters[] refused = new Counters[CAPACITY];
    /** Per packet after its mux sent it: null when the kernel took it, otherwise the drop reason. */
    final String[] outcome = new String[CAPACITY];
    /** The native message vector the muxes fill, and which packets each message carries. */
    final SendVector vector = new SendVector(MESSAGES, CAPACITY);
    final int[] messageFirst = new int[MESSAGES];
    final int[] messagePackets = new int[MESSAGES];
    private int count;

    /**
     * Holds a packet for {@code mux}: [offset, offset+length) of a direct buffer, the encapsulation
     * header first, to {@code destination}. At the flush it counts as out on {@code sentTo} with
     * {@code sentBytes} (the inner frame's length) or as a drop on {@code refusedTo}.
     */
    public void add(UnderlayMux m, ByteBuffer buf, int off, int len, UnderlayAddress dest, int hash, Counters sentTo, int bytes,
            Counters refusedTo) {
        if (count == CAPACITY) {
            flush();
        }
        int i = count++;
        mux[i] = m;
        buffer[i] = buf;
        offset[i] = off;
        length[i] = len;
        destination[i] = dest;
        flowHash[i] = hash;
        sent[i] = sentTo;
        sentBytes[i] = bytes;
        refused[i] = refusedTo;
        outcome[i] = null;
    }

    /** Packets held now. */
    public int size() {
        return count;
    }

    /**
     * Sends every packet held, each run of consecutive packets of one mux by that mux, and counts
     * each as out or dropped. Never throws.
     */
    public void flush() {
        int n = count;
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && mux[j] == mux[i]) {
                j++;
            }
            try {
                mux[i].send(this, i, j);
            } catch (RuntimeException e) {
                for (int k = i; k < j; k++) {
                    if (outcome[k] == null) {
                        outcome[k] = DropReasons.SEND_FAILED;
                    }
                }
            }
            i = j;
        }
        for (int k = 0; k < n; k++) {
            String reason = outcome[k];
            if (reason == null) {
                sent[k].out(sentBytes[k]);
            } else {
                refused[k].drop(reason);
            }
            mux[k] = null;
            buffer[k] = null;
            destination[k] = null;
            sent[k] = null;
            refused[k] = null;
            outcome[k] = null;
        }
        count = 0;
    }

    /** A native socket as {@link #sendThrough} uses it. */
    interface MessageSocket {
        /** sendmmsg(2) of the vector's messages from {@code first}: how many the kernel took. */
        int send(SendVector v, int first) throws java.io.IOException;

        /** Sends one packet by itself: null, or the drop reason. */
        String sendOne(ByteBuffer buf, int off, int len, UnderlayAddress dest);
    }

    /** The most datagrams in one GSO train (the kernel's UDP_MAX_SEGMENTS on every version that has GSO). */
    static final int GSO_MAX_SEGMENTS = 64;
    /** The most bytes of one GSO train: what one IPv4 UDP datagram could carry. */
    static final int GSO_MAX_BYTES = 65535 - 20 - 8;

    /**
     * Sends packets [from, to) through one native socket with sendmmsg(2), recording each outcome.
     * With {@code gso}, consecutive packets to one destination go as one train (UDP_SEGMENT): all
     * as long as the first, but the last, which may be shorter and then ends the train. A train
     * the kernel refuses to segment is sent again packet by packet.
     *
     * @param port whether destinations have a port (UDP) or not (raw IP)
     * @return null, or the kernel's refusal of GSO ("Input/output error"), for the caller to turn it off
     */
    String sendThrough(MessageSocket socket, int from, int to, boolean port, boolean gso) {
        SendVector v = vector;
        String gsoRefusal = null;
        int i = from;
        while (i < to) {
            v.clear();
            int messages = 0;
            while (i < to && messages < MESSAGES) {
                UnderlayAddress d = destination[i];
                if (!d.isIpv4()) {
                    outcome[i++] = DropReasons.SEND_FAILED; // an IPv4 underlay cannot reach IPv6
                    continue;
                }
                int size = length[i];
                v.begin(d.ipv4Bits(), port ? d.port() : 0, 0);
                v.add(buffer[i], offset[i], size);
                messageFirst[messages] = i;
                int packets = 1;
                int bytes = size;
                i++;
                if (gso) {
                    while (i < to && packets < GSO_MAX_SEGMENTS && length[i] <= size && bytes + length[i] <= GSO_MAX_BYTES
                            && sameDestination(d, destination[i])) {
                        v.add(buffer[i], offset[i], length[i]);
                        bytes += length[i];
                        packets++;
                        boolean shorter = length[i++] < size;
                        if (shorter) {
                            break; // a shorter datagram ends a train
                        }
                    }
                    if (packets > 1) {
                        v.segment(size);
                    }
                }
                messagePackets[messages++] = packets;
            }
            int first = 0;
            while (first < messages) {
                int taken;
                try {
                    taken = socket.send(v, first);
                } catch (java.io.IOException e) {
                    taken = -1; // closed under us: the rest of this vector is lost
                }
                if (taken < 0) {
                    for (int m = first; m < messages; m++) {
                        refuse(m, DropReasons.SEND_FAILED);
                    }
                    break;
                }
                if (taken > 0) {
                    first += taken;
                    continue;
                }
                if (messagePackets[first] > 1 && v.segmentationRefused()) {
                    gsoRefusal = v.errorText();
                    int p = messageFirst[first];
                    for (int k = p; k < p + messagePackets[first]; k++) {
                        outcome[k] = socket.sendOne(buffer[k], offset[k], length[k], destination[k]);
                    }
                } else {
                    refuse(first, v.queueWasFull() ? DropReasons.SEND_QUEUE_FULL
                            : DropReasons.SEND_FAILED);
                }
                first++;
            }
            if (gsoRefusal != null) {
                gso = false;
            }
        }
        return gsoRefusal;
    }

    private void refuse(int message, String reason) {
        int p = messageFirst[message];
        for (int k = p; k < p + messagePackets[message]; k++) {
            outcome[k] = reason;
        }
    }

    /** Whether two packets go to the same place (a reference test first: it is mostly the same object). */
    static boolean sameDestination(UnderlayAddress a, UnderlayAddress b) {
        return a == b || (a.ipv4Bits() == b.ipv4Bits() && a.port() == b.port() && a.address().equals(b.address()));
    }
}
