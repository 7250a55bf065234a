package org.overlaygate.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The console's password: the operator's, from a file, or one generated once and kept owner-only
 * in the data directory. Never logged.
 */
final class ConsolePassword {
    static final String GENERATED_NAME = "console.password";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The password and where it came from (a path, for the log; never the password). */
    record Loaded(String password, Path source, boolean generated) {
    }

    private ConsolePassword() {
    }

    /**
     * The operator's password in {@code configured} if that file exists, else the one kept in
     * {@code dataDir}, generated first when there is none.
     *
     * @throws IOException when a file exists but cannot be read, or the generated one cannot be written
     * @throws IllegalArgumentException when the operator's file holds no password
     */
    static Loaded load(Path configured, Path dataDir) throws IOException {
        if (configured != null && Files.exists(configured)) {
            return new Loaded(read(configured), configured, false);
        }
        Path kept = dataDir.resolve(GENERATED_NAME);
        if (Files.exists(kept)) {
            return new Loaded(read(kept), kept, true);
        }
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes); // 24 characters, 144 bits
        writeOwnerOnly(kept, password);
        return new Loaded(password, kept, true);
    }

    private static String read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String password = (nl < 0 ? text : text.substring(0, nl)).strip();
        if (password.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no password (its first line is empty)");
        }
        return password;
    }

    /** Writes {@code text} to {@code file}, created 0600 whatever the umask, atomically. */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + GENERATED_NAME, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
