package org.overlaygate.testsupport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;

/** Wireshark's tshark as an independent reader of frames a test built: find it, write a pcap, run it. */
public final class Tshark {
    private Tshark() {
    }

    /**
     * tshark's path; skipped, saying why, when it is absent and this does not run as root; as root
     * (CI, where ./test.sh installs it) its absence fails.
     */
    public static String executableOrSkip() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Paths.get(dir.isEmpty() ? "." : dir, "tshark");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("tshark is absent: ./test.sh installs the Debian package tshark as root; run it, or apt-get install tshark");
        }
        String reason = "SKIPPED: tshark absent and not root; install the Debian package tshark (./test.sh does as root)";
        System.out.println(reason);
        System.err.println(reason);
        Assume.assumeTrue(reason, false);
        return null;
    }

    /** Runs tshark (or any command) and returns its standard output; fails unless it exits 0 within 60 s. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue("tshark finished", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(command + " exit status", 0, p.exitValue());
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The classic pcap format: microsecond timestamps, link type 1 (Ethernet). */
    public static void writePcap(Path file, List<byte[]> frames) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            out.write(header.array());
            int second = 0;
            for (byte[] frame : frames) {
                ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                record.putInt(second++).putInt(0).putInt(frame.length).putInt(frame.length);
                out.write(record.array());
                out.write(frame);
            }
        }
    }
}
