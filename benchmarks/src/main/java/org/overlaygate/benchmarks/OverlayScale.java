package org.overlaygate.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * How overlay creation and deletion scale with the number of overlays that exist (not a test):
 * creates COUNT overlays through the admin socket of a running appliance, printing the time per
 * batch, then deletes them the same way. The commands are those {@code bin/overlayadm} sends, over
 * one connection each, without a JVM start per command, so the figures are the appliance's own.
 *
 * <pre>java -cp benchmarks.jar org.overlaygate.benchmarks.OverlayScale SOCKET [COUNT] [BATCH]</pre>
 */
public final class OverlayScale {
    private OverlayScale() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Paths.get(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        System.out.printf(Locale.ROOT, "%-10s %14s %14s%n", "overlays", "create ms/100", "delete ms/100");
        long[] createNanos = new long[count / batch];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            run(socket, "overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(10_000 + i), "-p", "vxlan/listen_ip=127.0.0.1",
                    "-p", "vxlan/listen_port=47899", "-p", "direct/dest_ip=127.0.0." + (2 + i % 200), "-p", "direct/dest_port=4789", "s" + i);
            createNanos[i / batch] += System.nanoTime() - start;
        }
        long[] deleteNanos = new long[count / batch];
        for (int i = count - 1; i >= 0; i--) {
            long start = System.nanoTime();
            run(socket, "overlay:delete", "s" + i);
            deleteNanos[i / batch] += System.nanoTime() - start;
        }
        for (int b = 0; b < count / batch; b++) {
            System.out.printf(Locale.ROOT, "%-10s %14.1f %14.1f%n", (b * batch) + "-" + ((b + 1) * batch),
                    createNanos[b] / 1e6 / batch * 100, deleteNanos[b] / 1e6 / batch * 100);
        }
    }

    /** One command over the admin socket (the framing of org.overlaygate.admin.AdminProtocol); fails on a non-zero exit. */
    static String run(Path socket, String... words) throws IOException {
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            line.append(line.length() == 0 ? "" : " ").append('"').append(w.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            while (true) {
                int type = in.readUnsignedByte();
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                if (type == 3) {
                    int status = java.nio.ByteBuffer.wrap(body).getInt();
                    if (status != 0) {
                        throw new IOException(String.join(" ", words) + " failed: " + text.toString(StandardCharsets.UTF_8));
                    }
                    return text.toString(StandardCharsets.UTF_8);
                }
                text.write(body);
            }
        }
    }
}
