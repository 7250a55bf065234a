package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.Test;

/**
 * Log files rotate by size and their total stays bounded: an appliance whose log files may hold
 * 4 KB each, three old ones kept, is made to log 300 KB (each admin command is logged on a line of
 * about a kilobyte); in the background its console file gets nothing from the log.
 */
public class LogRotationIT {
    private static final int SIZE = 4 * 1024;
    private static final int FILES = 3;
    private static final int LINE = 1100; // a logged command line: the words (about 920 characters) and the prefix

    @Test
    public void logFilesRotateBySizeWithABoundedTotal() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            String overlaygate = dist.home.resolve("bin/overlaygate").toString();
            Distribution.Result started = dist.run("env", "JAVA_OPTS=-Doverlaygate.log.size=" + SIZE / 1024 + "KB -Doverlaygate.log.files=" + FILES,
                    overlaygate, "--daemon");
            assertEquals(started.toString(), 0, started.status);
            for (int i = 0; i < 300; i++) {
                request(dist.socket(), "overlay:show " + "x".repeat(900) + i);
            }
            Path log = dist.home.resolve("log");
            TreeMap<String, Long> sizes = new TreeMap<>();
            try (var files = Files.list(log)) {
                for (Path f : files.collect(Collectors.toList())) {
                    sizes.put(f.getFileName().toString(), Files.size(f));
                }
            }
            assertEquals(sizes.toString(), Set.of("overlaygate.log", "overlaygate.1.log", "overlaygate.2.log", "overlaygate.3.log", "console.log"),
                    sizes.keySet());
            long total = 0;
            for (String name : List.of("overlaygate.log", "overlaygate.1.log", "overlaygate.2.log", "overlaygate.3.log")) {
                assertTrue(name + " is " + sizes.get(name) + " bytes: " + sizes, sizes.get(name) <= SIZE + LINE);
                total += sizes.get(name);
            }
            assertTrue("300 KB logged, " + total + " bytes kept", total <= (FILES + 1) * (SIZE + LINE));
            assertTrue("the newest file holds the last command", Files.readString(log.resolve("overlaygate.log")).contains("x299")
                    || Files.readString(log.resolve("overlaygate.1.log")).contains("x299"));
            assertEquals("in the background the console file gets nothing from the log", 0L, (long) sizes.get("console.log"));
            assertEquals(0, dist.run(overlaygate, "stop").status);

            Distribution.Result again = dist.run(overlaygate, "--daemon");
            assertEquals(again.toString(), 0, again.status);
            assertTrue("the previous console file is kept, one", Files.exists(log.resolve("console.log.1")));
            assertFalse(Files.exists(log.resolve("console.log.2")));
            assertEquals(0, dist.run(overlaygate, "stop").status);
        }
    }

    /** One admin request, its answer read to the end (the appliance logs it whatever it answers). */
    private static void request(Path socket, String line) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            while (true) {
                int type = in.readUnsignedByte();
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                if (type == 3) {
                    return;
                }
            }
        } catch (EOFException e) {
            throw new AssertionError("the appliance closed the connection", e);
        }
    }
}
