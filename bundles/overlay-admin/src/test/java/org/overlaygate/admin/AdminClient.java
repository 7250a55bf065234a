package org.overlaygate.admin;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A raw admin-socket client for tests: sends bytes, collects the answer frames. */
final class AdminClient implements AutoCloseable {
    /** What the server answered: the exit status (null when it closed without one) and the text of each stream. */
    record Reply(Integer status, String out, String err) {
    }

    final SocketChannel channel;

    AdminClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    /** Sends one request and reads the answer; like overlayadm, reads it also when the server refused before taking the request. */
    static Reply run(Path socket, String line) throws IOException {
        try (AdminClient c = new AdminClient(socket)) {
            try {
                c.send(line);
            } catch (IOException refused) {
                // answered (busy) and closed before reading: the answer is waiting
            }
            return c.reply();
        }
    }

    void send(String line) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        Channels.newOutputStream(channel).write(bytes);
    }

    /** Reads frames until EXIT or the end of the stream; a reset after frames counts as the end. */
    Reply reply() throws IOException {
        DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            while (true) {
                int type = in.readUnsignedByte();
                int length = in.readInt();
                byte[] b = new byte[length];
                in.readFully(b);
                if (type == AdminProtocol.EXIT) {
                    return new Reply(java.nio.ByteBuffer.wrap(b).getInt(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
                }
                (type == AdminProtocol.STDOUT ? out : err).write(b);
            }
        } catch (EOFException e) {
            return new Reply(null, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
