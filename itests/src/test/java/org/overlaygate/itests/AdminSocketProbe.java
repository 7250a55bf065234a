package org.overlaygate.itests;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Run as another user by {@link AdminSocketIT}: connects to the admin socket as fast as it can,
 * from before the appliance starts until a while after it is ready, and prints how each attempt
 * ended: {@code connected} (and then {@code answered}) must stay 0.
 *
 * <p>Arguments: the socket path, a file whose appearance means "the appliance is ready", and how
 * many more attempts to make after that.
 */
public final class AdminSocketProbe {
    private AdminSocketProbe() {
    }

    public static void main(String[] args) {
        Path socket = Path.of(args[0]);
        Path ready = Path.of(args[1]);
        int after = Integer.parseInt(args[2]);
        Map<String, Long> outcomes = new TreeMap<>();
        System.out.println("probing");
        System.out.flush();
        int left = -1;
        while (left != 0) {
            if (left < 0 && Files.exists(ready)) {
                left = after;
            }
            if (left > 0) {
                left--;
            }
            outcomes.merge(attempt(socket), 1L, Long::sum);
        }
        System.out.println(outcomes);
    }

    private static String attempt(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            try {
                byte[] line = "felix:lb".getBytes(StandardCharsets.UTF_8);
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                out.writeInt(line.length);
                out.write(line);
                out.flush();
                return ch.read(ByteBuffer.allocate(64)) > 0 ? "answered" : "connected";
            } catch (IOException e) {
                return "connected";
            }
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("Permission denied") ? "denied" : m.contains("No such file") ? "absent"
                    : m.contains("Connection refused") ? "refused" : "other: " + m;
        }
    }
}
