package org.overlaygate.search.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads a mapping file so that no file can hang or fill the appliance. Only a regular file is
 * opened: a FIFO blocks {@code open()} until someone writes it, and {@code /dev/zero} never ends.
 * The path's symbolic links are resolved first (an operator may link the mapping from elsewhere),
 * then what they lead to is checked without following anything, its size bounded, and it is opened
 * without following a link; reading stops at {@link MappingFile#MAX_BYTES}, whatever the file
 * turned out to be, so a file swapped for a device after the check is still bounded. What is left,
 * a FIFO swapped in between the check and the open, can block only the thread that reads (see
 * {@link FilesSearch}: never varpd's shared timer).
 */
final class MappingReader {
    private static final int S_IFMT = 0170000;

    private MappingReader() {
    }

    /** The file as text: at most {@link MappingFile#MAX_BYTES}, UTF-8 (a byte-order mark is passed over). */
    static String read(Path path) throws MappingException {
        byte[] bytes;
        try {
            Path real = path.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory()) {
                throw new MappingException(0, "is a directory, not a file");
            }
            if (!a.isRegularFile()) {
                throw new MappingException(0, (real.equals(path) ? "is " : "leads to " + real + ", ") + kind(real)
                        + ", not a regular file: only a regular file is read");
            }
            if (a.size() > MappingFile.MAX_BYTES) {
                throw tooBig(a.size());
            }
            bytes = readAtMost(real, MappingFile.MAX_BYTES);
        } catch (NoSuchFileException e) {
            throw new MappingException(0, "cannot read it: no such file");
        } catch (AccessDeniedException e) {
            throw new MappingException(0, "cannot read it: permission denied");
        } catch (IOException e) {
            throw new MappingException(0, "cannot read it: " + e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MappingException(0, "not UTF-8 text");
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static MappingException tooBig(long size) {
        return new MappingException(0, (size < 0 ? "more than " + MappingFile.MAX_BYTES : size) + " bytes, more than the "
                + (MappingFile.MAX_BYTES >> 20) + " MiB a mapping may have");
    }

    /**
     * The bytes of {@code file}, opened without following a link, refused past {@code max}
     * bytes without reading further: memory stays bounded whatever the file is.
     */
    static byte[] readAtMost(Path file, long max) throws IOException, MappingException {
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            byte[] buf = new byte[(int) Math.min(max + 1, 64 * 1024)];
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    if (n > max) {
                        throw tooBig(-1);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(max + 1, (long) buf.length * 2));
                }
                int r = ch.read(ByteBuffer.wrap(buf, n, buf.length - n));
                if (r < 0) {
                    return Arrays.copyOf(buf, n);
                }
                n += r;
            }
        }
    }

    /** What a file that is not regular is, for the operator. */
    private static String kind(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT;
            switch (mode) {
                case 0010000:
                    return "a FIFO";
                case 0020000:
                    return "a character device";
                case 0060000:
                    return "a block device";
                case 0140000:
                    return "a socket";
                case 0120000:
                    return "a symbolic link";
                default:
                    return "a special file";
            }
        } catch (IOException | RuntimeException e) {
            return "a special file";
        }
    }
}
