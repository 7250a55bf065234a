package org.overlaygate.katar.protocol;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * One katar message: the 16-byte header (version, op, size, id, crc32) and its payload. The CRC is
 * CRC-32 (zlib's) over the header with the crc field zeroed, then the payload. The id is four
 * opaque bytes, echoed as received.
 */
public final class Frame {
    private final int version;
    private final int op;
    private final int id;
    private final byte[] payload;

    public Frame(int version, int op, int id, byte[] payload) {
        this.version = version;
        this.op = op;
        this.id = id;
        this.payload = payload;
    }

    public int version() {
        return version;
    }

    public int op() {
        return op;
    }

    /** The id as the four bytes of the header read big-endian; echo it with the same method. */
    public int id() {
        return id;
    }

    public byte[] payload() {
        return payload;
    }

    /** Encodes a version-1 message with its CRC. */
    public static byte[] encode(int op, int id, byte[] payload) {
        return encode(Svp.VERSION, op, id, payload);
    }

    /** Encodes a message of any version (tests use this to send bad versions). */
    public static byte[] encode(int version, int op, int id, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(Svp.HEADER_SIZE + payload.length);
        b.putShort((short) version).putShort((short) op).putInt(payload.length).putInt(id).putInt(0).put(payload);
        byte[] bytes = b.array();
        int crc = crc(bytes, 0, bytes.length);
        ByteBuffer.wrap(bytes).putInt(12, crc);
        return bytes;
    }

    /**
     * The CRC of a whole message held in {@code bytes[offset, offset+length)}, computed as if the
     * crc field (header bytes 12 to 15) were zero.
     */
    public static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, 12);
        crc.update(ZERO4, 0, 4);
        crc.update(bytes, offset + Svp.HEADER_SIZE, length - Svp.HEADER_SIZE);
        return (int) crc.getValue();
    }

    /** The CRC of a header (crc field taken as zero) followed by a payload. */
    public static int crc(byte[] header, byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(header, 0, 12);
        crc.update(ZERO4, 0, 4);
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    private static final byte[] ZERO4 = new byte[4];

    @Override
    public String toString() {
        return Svp.opName(op) + " id=" + Integer.toUnsignedString(id) + " size=" + payload.length;
    }
}
