package org.overlaygate.admin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The framing on the admin socket. The client sends one request: a 4-byte big-endian length and
 * that many bytes of UTF-8 command line. The server answers with frames, each a 1-byte type and a
 * 4-byte big-endian length followed by that many bytes: {@link #STDOUT} and {@link #STDERR} carry
 * output, {@link #EXIT} (length 4) carries the exit status and ends the conversation.
 *
 * <p>The launcher's {@code OverlayAdm} client implements the other side; the two are kept in step
 * by the distribution test, which runs real commands through the real client.
 */
public final class AdminProtocol {
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int EXIT = 3;
    /** Longest command line accepted. */
    public static final int MAX_REQUEST = 64 * 1024;

    private AdminProtocol() {
    }

    /** Reads the request; refuses lengths beyond {@link #MAX_REQUEST}. */
    public static String readRequest(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_REQUEST) {
            throw new IOException("request of " + length + " bytes refused (limit " + MAX_REQUEST + ")");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static void writeFrame(DataOutputStream out, int type, byte[] bytes, int offset, int length) throws IOException {
        out.writeByte(type);
        out.writeInt(length);
        out.write(bytes, offset, length);
    }

    public static void writeExit(DataOutputStream out, int status) throws IOException {
        out.writeByte(EXIT);
        out.writeInt(4);
        out.writeInt(status);
        out.flush();
    }
}
