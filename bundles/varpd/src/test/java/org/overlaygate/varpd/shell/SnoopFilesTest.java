package org.overlaygate.varpd.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.overlaygate.api.shell.CommandException;

/** overlay:snoop -w writes only plain file names into the appliance's capture directory. */
public class SnoopFilesTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aPlainNameIsWrittenOwnerOnlyIntoTheCaptureDirectory() throws Exception {
        Path data = tmp.newFolder("data").toPath();
        SnoopFiles files = new SnoopFiles(data);
        Path file = files.resolve("ovl1.pcap");
        assertEquals(data.resolve("snoop/ovl1.pcap").toAbsolutePath(), file);
        try (OutputStream out = files.open(file)) {
            out.write(1);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("snoop"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1, Files.size(file));
    }

    @Test
    public void anythingButAPlainNameIsRefusedInOneLine() throws Exception {
        Path data = tmp.newFolder("data").toPath();
        SnoopFiles files = new SnoopFiles(data);
        for (String bad : List.of("/etc/passwd", "../plugins.d/evil.jar", "a/b.pcap", "..", ".hidden", "", "x\ny", "a..b",
                "-", "x".repeat(200))) {
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class, () -> files.resolve(bad));
            assertTrue(e.getMessage(), e.getMessage().startsWith("-w takes a file name only"));
            assertFalse(e.getMessage(), e.getMessage().replace(bad, "").contains("\n"));
        }
    }

    @Test
    public void aSymbolicLinkInTheCaptureDirectoryIsNotFollowed() throws Exception {
        Path data = tmp.newFolder("data").toPath();
        Path target = tmp.newFile("precious").toPath();
        Files.writeString(target, "keep");
        SnoopFiles files = new SnoopFiles(data);
        Files.createDirectories(files.directory());
        Files.createSymbolicLink(files.directory().resolve("x.pcap"), target);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> files.open(files.resolve("x.pcap")));
        assertEquals("cannot write " + files.directory().resolve("x.pcap") + ": it is a symbolic link (not followed)", e.getMessage());
        assertEquals("keep", Files.readString(target));
    }

    @Test
    public void theCommandRefusesAPathBeforeLookingAtTheOverlay() throws Exception {
        Path data = tmp.newFolder("data").toPath();
        OverlayCommands overlay = new OverlayCommands(null, data);
        CommandException e = assertThrows(CommandException.class, () -> overlay.snoop("-c", "1", "-w", "/tmp/x.pcap", "ovl"));
        assertEquals("-w takes a file name only (letters, digits, '.', '_', '-'; no '/' or '..'), written into "
                + data.resolve("snoop").toAbsolutePath() + ": not '/tmp/x.pcap'", e.toString());
        assertTrue(overlay.snoop("-h").contains("snoop/ of its data directory"));
    }
}
