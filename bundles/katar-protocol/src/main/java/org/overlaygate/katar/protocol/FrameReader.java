package org.overlaygate.katar.protocol;

import java.nio.ByteBuffer;

/**
 * Cuts a byte stream into {@link Frame}s, however the bytes arrive. It refuses, by throwing
 * {@link ProtocolException}, a header whose version is not 1 or whose size is over the limit
 * (before reading any payload), and a message whose CRC does not match. After a refusal the stream
 * is unusable: close the connection.
 */
public final class FrameReader {
    private final int maxPayload;
    private final byte[] header = new byte[Svp.HEADER_SIZE];
    private int headerFill;
    private byte[] payload;
    private int payloadFill;

    /** @param maxPayload the largest payload accepted, in bytes */
    public FrameReader(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /**
     * Consumes bytes of {@code in} up to the end of the next complete message and returns it, or
     * returns {@code null} when {@code in} ran out first (the partial message is kept).
     */
    public Frame next(ByteBuffer in) throws ProtocolException {
        if (payload == null) {
            int n = Math.min(in.remaining(), Svp.HEADER_SIZE - headerFill);
            in.get(header, headerFill, n);
            headerFill += n;
            if (headerFill < Svp.HEADER_SIZE) {
                return null;
            }
            ByteBuffer h = ByteBuffer.wrap(header);
            int version = h.getShort(0) & 0xFFFF;
            if (version != Svp.VERSION) {
                throw new ProtocolException(ProtocolException.Reason.BAD_VERSION, "unknown protocol version " + version);
            }
            long size = h.getInt(4) & 0xFFFF_FFFFL;
            if (size > maxPayload) {
                throw new ProtocolException(ProtocolException.Reason.OVERSIZE,
                        "message of " + size + " bytes is over the limit of " + maxPayload);
            }
            payload = new byte[(int) size];
            payloadFill = 0;
        }
        int n = Math.min(in.remaining(), payload.length - payloadFill);
        in.get(payload, payloadFill, n);
        payloadFill += n;
        if (payloadFill < payload.length) {
            return null;
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        int expected = h.getInt(12);
        int actual = Frame.crc(header, payload);
        byte[] body = payload;
        payload = null;
        headerFill = 0;
        if (expected != actual) {
            throw new ProtocolException(ProtocolException.Reason.BAD_CRC,
                    String.format("CRC mismatch: message says %08x, bytes give %08x", expected, actual));
        }
        return new Frame(h.getShort(0) & 0xFFFF, h.getShort(2) & 0xFFFF, h.getInt(8), body);
    }

    /** True while part of a message has been read. */
    public boolean inMessage() {
        return headerFill > 0 || payload != null;
    }
}
