package org.overlaygate.admin;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that sends what is written to it as frames of one type on the admin socket.
 * Shared by the session's stdout and stderr, so writes are serialised on the socket stream.
 */
final class FramedOutputStream extends OutputStream {
    private final DataOutputStream socket;
    private final int type;

    FramedOutputStream(DataOutputStream socket, int type) {
        this.socket = socket;
        this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        synchronized (socket) {
            AdminProtocol.writeFrame(socket, type, b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        synchronized (socket) {
            socket.flush();
        }
    }
}
