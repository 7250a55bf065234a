package org.overlaygate.launcher;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import org.junit.Test;

/** The manual pages are made from the help text: every option, section and line of it is in the page. */
public class ManPageTest {
    private static String page(String name, String help) {
        return ManPage.render(name, "1", "1.0", "2025-01-01", help, "SEE");
    }

    /** Every "  TERM  text" entry of the help, by term. */
    private static List<String> terms(String help) {
        List<String> terms = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^ {2}(\\S(?:.*?\\S)?) {2,}\\S").matcher(help);
        while (m.find()) {
            terms.add(m.group(1));
        }
        return terms;
    }

    @Test
    public void everyOptionOfTheLauncherAndOverlayadmIsInItsPage() {
        for (String[] c : new String[][] {{"overlaygate", LaunchOptions.USAGE}, {"overlayadm", OverlayAdm.USAGE}}) {
            String roff = page(c[0], c[1]);
            List<String> terms = terms(c[1]);
            assertTrue(c[0] + " has options", terms.size() >= 3);
            for (String term : terms) {
                assertTrue(c[0] + ": " + term + " in\n" + roff, roff.contains(".TP\n.B " + ManPage.escape(term) + "\n"));
            }
            for (String heading : c[1].lines().filter(ManPage::isHeading).toList()) {
                String title = heading.substring(0, heading.length() - 1).toUpperCase(java.util.Locale.ROOT);
                assertTrue(c[0] + ": section " + title, roff.contains("\n.SH " + title + "\n"));
            }
            assertTrue(roff, roff.contains(".SH NAME\n" + c[0] + " \\- "));
            assertTrue(roff, roff.contains(".SH SYNOPSIS\n.B " + c[0] + "\n"));
        }
    }

    @Test
    public void layoutOfAPage() {
        String help = "usage: tool [-x] FILE\n"
                + "       tool stop\n"
                + "Does a thing. And more, about it.\n"
                + "\n"
                + "Options:\n"
                + "  -x, --extra  be extra\n"
                + "               and then some\n"
                + "  .dot         starts with a dot\n"
                + "\n"
                + "Exit status:\n"
                + "  0  fine\n";
        assertEquals(".\\\" Made from \"tool --help\" by the build (ManPage); edit the help text, not this.\n"
                + ".TH TOOL 1 \"2025-01-01\" \"Overlay Gate 1.0\" \"Overlay Gate\"\n"
                + ".SH NAME\ntool \\- does a thing\n"
                + ".SH SYNOPSIS\n.B tool\n[\\-x] FILE\n.br\n.B tool\nstop\n.br\n"
                + ".SH DESCRIPTION\n.PP\nDoes a thing. And more, about it.\n"
                + ".SH OPTIONS\n.TP\n.B \\-x, \\-\\-extra\nbe extra\nand then some\n.TP\n.B \\&.dot\nstarts with a dot\n"
                + ".SH EXIT STATUS\n.TP\n.B 0\nfine\n"
                + ".SH SEE ALSO\nSEE\n", page("tool", help));
    }

    @Test
    public void theLauncherAnswersHelp() {
        assertTrue(LaunchOptions.parse("--help").help);
        assertTrue(LaunchOptions.parse("-h").help);
        assertFalse(LaunchOptions.parse("--daemon").help);
    }

    @Test
    public void aHelpThatIsNotAUsageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> page("tool", "tool does things\n"));
    }

    @Test
    public void gzipIsReadableAndMarkedBestCompression() throws Exception {
        Path file = Files.createTempFile("og-man", ".gz");
        try {
            byte[] text = "x\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
            ManPage.gzip(text, file);
            byte[] gz = Files.readAllBytes(file);
            assertEquals("XFL: best compression (lintian's poor-compression-in-manual-page)", 2, gz[8]);
            assertEquals("no time stamp", 0, gz[4] | gz[5] | gz[6] | gz[7]);
            assertFalse("no file name", (gz[3] & 8) != 0);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                assertArrayEquals(text, in.readAllBytes());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
