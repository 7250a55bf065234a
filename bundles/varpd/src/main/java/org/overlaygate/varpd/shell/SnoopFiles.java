package org.overlaygate.varpd.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * Where {@code overlay:snoop -w} may write: only into the appliance's own capture directory
 * ({@code snoop/} of the data directory, owner-only), and only a plain file name. The command runs
 * as the appliance's user, who can write its configuration, its plugins directory and its
 * database; a caller of {@code overlayadm} choosing the path could overwrite any of them (or
 * drop a jar into {@code plugins.d/}, which would run). A name with a {@code /}, a {@code ..},
 * a leading dot or dash, or anything but letters, digits, '.', '_' and '-' is refused in one line; the file
 * is opened without following a symbolic link, and is owner-only.
 */
final class SnoopFiles {
    static final String DIRECTORY = "snoop";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    private final Path directory;

    /** @param dataDirectory the appliance's data directory; captures go into its {@code snoop/} */
    SnoopFiles(Path dataDirectory) {
        this.directory = dataDirectory.resolve(DIRECTORY).toAbsolutePath().normalize();
    }

    Path directory() {
        return directory;
    }

    /**
     * The file {@code name} stands for.
     *
     * @throws IllegalArgumentException in one line, for anything but a plain file name
     */
    Path resolve(String name) {
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("-w takes a file name only (letters, digits, '.', '_', '-'; no '/' or '..'), written into "
                    + directory + ": not '" + name + "'");
        }
        return directory.resolve(name);
    }

    /**
     * Creates (or truncates) {@code file}, made by {@link #resolve}, owner-only and without
     * following a symbolic link; the directory is made owner-only when absent.
     *
     * @throws IllegalArgumentException in one line when it cannot be written
     */
    OutputStream open(Path file) {
        try {
            if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException("cannot write " + file + ": " + directory + " is not a directory");
            }
            if (Files.isSymbolicLink(file)) {
                throw new IllegalArgumentException("cannot write " + file + ": it is a symbolic link (not followed)");
            }
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return out;
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException ? "no such directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileSystemException && ((FileSystemException) e).getReason() != null ? ((FileSystemException) e).getReason()
                    : String.valueOf(e.getMessage());
            throw new IllegalArgumentException("cannot write " + file + ": " + why);
        }
    }
}
