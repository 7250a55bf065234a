package org.overlaygate.admin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The framing on the admin socket. The client sends one request: a 4-byte big-endian length and
 * that many bytes of UTF-8 command line (see {@link CommandLine} for its syntax). The server
 * answers with frames, each a 1-byte type and a 4-byte big-endian length followed by that many
 * bytes: {@link #STDOUT} and {@link #STDERR} carry output, {@link #EXIT} (length 4) carries the exit
 * status and ends the conversation. A request the server cannot take (too long, not UTF-8, not
 * complete in time, or the appliance busy) is answered the same way: a line on STDERR and EXIT 1.
 *
 * <p>The launcher's {@code OverlayAdm} client implements the other side; the two are kept in step
 * by the distribution test, which runs real commands through the real client.
 */
public final class AdminProtocol {
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int EXIT = 3;
    /** Longest command line accepted, in bytes. */
    public static final int MAX_REQUEST = 64 * 1024;

    private AdminProtocol() {
    }

    /** A request that cannot be taken; the message is the one line the client is told. */
    static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /**
     * Reads the request.
     *
     * @throws BadRequest for a length beyond {@link #MAX_REQUEST} (before reading the rest) or
     *     bytes that are not UTF-8
     * @throws IOException when the client goes away first
     */
    public static String readRequest(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_REQUEST) {
            throw new BadRequest("request of " + Integer.toUnsignedString(length) + " bytes refused: the limit is " + MAX_REQUEST + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest("request refused: the command line is not UTF-8 text");
        }
    }

    /** Writes one frame in one write, so that frames of two streams never interleave. */
    public static void writeFrame(DataOutputStream out, int type, byte[] bytes, int offset, int length) throws IOException {
        byte[] frame = new byte[5 + length];
        frame[0] = (byte) type;
        frame[1] = (byte) (length >>> 24);
        frame[2] = (byte) (length >>> 16);
        frame[3] = (byte) (length >>> 8);
        frame[4] = (byte) length;
        System.arraycopy(bytes, offset, frame, 5, length);
        out.write(frame);
    }

    public static void writeExit(DataOutputStream out, int status) throws IOException {
        byte[] value = ByteBuffer.allocate(4).putInt(status).array();
        writeFrame(out, EXIT, value, 0, value.length);
        out.flush();
    }

    /** A whole answer of one error line: STDERR frame, then EXIT 1. */
    static void writeError(DataOutputStream out, String message) throws IOException {
        byte[] line = (message + "\n").getBytes(StandardCharsets.UTF_8);
        writeFrame(out, STDERR, line, 0, line.length);
        writeExit(out, 1);
    }
}
