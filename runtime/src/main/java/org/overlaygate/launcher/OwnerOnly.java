package org.overlaygate.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directories only the appliance's user may enter: the data directory (configuration, katar's
 * database and secrets) and {@code run/} (the admin socket, the pid file). Created 0700 whatever
 * the umask (mkdir(2) applies the umask, which can only take bits away from 0700); an existing one
 * that others may enter is closed to them, and the log says so. A link to a directory (as the
 * Debian package makes them) stands for that directory.
 */
final class OwnerOnly {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private OwnerOnly() {
    }

    /** @throws IOException when it cannot be created or its permissions cannot be set */
    static void directory(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir) && Files.isDirectory(dir)) {
            dir = dir.toRealPath(); // the package links run/, data/ to /run/overlaygate, /var/lib/overlaygate: their modes count
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            return;
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!now.equals(DIRECTORY)) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
            LOG.info("{} was {}; now rwx------ (owner only)", dir, PosixFilePermissions.toString(now));
        }
    }
}
