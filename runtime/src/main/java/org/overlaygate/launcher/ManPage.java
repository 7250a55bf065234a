package org.overlaygate.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * Makes the Debian package's manual pages from what the commands print for {@code --help}, as
 * help2man does, so that a page cannot say other than its command (the build runs it on the
 * assembled distribution: {@code ManPage DIST_DIR OUT_DIR VERSION DATE}).
 *
 * <p>The help text follows one layout: {@code usage:} lines (the synopsis), a description, then
 * sections, each a line {@code Heading:} followed by entries {@code "  TERM  text"} (text continued
 * on deeper-indented lines) or plain lines. Each becomes the man section of that name.
 */
public final class ManPage {
    /** The pages the package ships: command and manual section. */
    static final List<String[]> PAGES = List.of(
            new String[] {"overlaygate", "8"},
            new String[] {"overlayadm", "1"},
            new String[] {"katar-client", "1"});

    private ManPage() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("gzip")) {
            gzip(Files.readAllBytes(Paths.get(args[1])), Paths.get(args[2]));
            return;
        }
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: ManPage DIST_DIR OUT_DIR VERSION DATE | ManPage gzip FILE FILE.gz");
        }
        Path dist = Paths.get(args[0]);
        Path out = Paths.get(args[1]);
        for (String[] page : PAGES) {
            String help = helpOf(dist.resolve("bin").resolve(page[0]));
            Path file = out.resolve("man" + page[1]).resolve(page[0] + "." + page[1] + ".gz");
            Files.createDirectories(file.getParent());
            String seeAlso = seeAlso(page[0]);
            gzip(render(page[0], page[1], args[2], args[3], help, seeAlso).getBytes(StandardCharsets.UTF_8), file);
        }
    }

    /** Runs {@code COMMAND --help} and returns what it prints; anything but exit 0 fails the build. */
    static String helpOf(Path command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", command.toString(), "--help").redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] text;
        try (InputStream in = p.getInputStream()) {
            text = in.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " --help failed: " + new String(text, StandardCharsets.UTF_8));
        }
        return new String(text, StandardCharsets.UTF_8);
    }

    private static String seeAlso(String name) {
        List<String> refs = new ArrayList<>();
        for (String[] page : PAGES) {
            if (!page[0].equals(name)) {
                refs.add("\\fB" + page[0] + "\\fR(" + page[1] + ")");
            }
        }
        return String.join(", ", refs) + "; /usr/share/doc/overlaygate/README.md and docs/ beside it.";
    }

    /** The roff source of the page NAME(SECTION) for help text {@code help}. */
    static String render(String name, String section, String version, String date, String help, String seeAlso) {
        List<String> lines = new ArrayList<>(help.lines().toList());
        StringBuilder roff = new StringBuilder();
        roff.append(".\\\" Made from \"").append(name).append(" --help\" by the build (ManPage); edit the help text, not this.\n");
        roff.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(' ').append(section).append(" \"").append(date)
                .append("\" \"Overlay Gate ").append(version).append("\" \"Overlay Gate\"\n");
        int i = 0;
        List<String> synopsis = new ArrayList<>();
        while (i < lines.size() && (i == 0 ? lines.get(i).startsWith("usage: ")
                : lines.get(i).trim().startsWith(name + " ") || lines.get(i).trim().equals(name))) {
            synopsis.add(lines.get(i).replaceFirst("^usage: ", "").trim());
            i++;
        }
        if (synopsis.isEmpty()) {
            throw new IllegalArgumentException(name + " --help does not begin with \"usage: " + name + "\"");
        }
        List<String> description = new ArrayList<>();
        while (i < lines.size() && !isHeading(lines.get(i))) {
            description.add(lines.get(i));
            i++;
        }
        String text = String.join(" ", description).trim().replaceAll("\\s+", " ");
        int stop = text.indexOf(". ");
        String summary = (stop > 0 ? text.substring(0, stop) : text).replaceFirst("\\.$", "");
        roff.append(".SH NAME\n").append(name).append(" \\- ").append(escape(lowerFirst(summary))).append('\n');
        roff.append(".SH SYNOPSIS\n");
        for (String s : synopsis) {
            roff.append(".B ").append(escape(s.substring(0, Math.min(s.length(), s.indexOf(' ') < 0 ? s.length() : s.indexOf(' ')))))
                    .append('\n');
            String rest = s.indexOf(' ') < 0 ? "" : s.substring(s.indexOf(' ') + 1);
            if (!rest.isEmpty()) {
                roff.append(escape(rest)).append('\n');
            }
            roff.append(".br\n");
        }
        roff.append(".SH DESCRIPTION\n");
        paragraphs(description, roff);
        while (i < lines.size()) {
            String heading = lines.get(i).trim();
            i++;
            roff.append(".SH ").append(escape(heading.substring(0, heading.length() - 1).toUpperCase(Locale.ROOT))).append('\n');
            List<String> body = new ArrayList<>();
            while (i < lines.size() && !isHeading(lines.get(i))) {
                body.add(lines.get(i));
                i++;
            }
            entries(body, roff);
        }
        roff.append(".SH SEE ALSO\n").append(seeAlso).append('\n');
        return roff.toString();
    }

    /** A section heading: "Options:", "Exit status:" (unindented, capitalised, at most three words). */
    static boolean isHeading(String line) {
        return line.matches("[A-Z][A-Za-z]*( [a-z]+){0,2}:");
    }

    private static void paragraphs(List<String> body, StringBuilder roff) {
        StringBuilder p = new StringBuilder();
        for (String line : body) {
            if (line.isBlank()) {
                flush(p, roff);
            } else {
                p.append(p.length() > 0 ? " " : "").append(line.trim());
            }
        }
        flush(p, roff);
    }

    private static void flush(StringBuilder p, StringBuilder roff) {
        if (p.length() > 0) {
            roff.append(".PP\n").append(escape(p.toString())).append('\n');
            p.setLength(0);
        }
    }

    /** Entries "  TERM  text" (two spaces or more between), continued on deeper-indented lines. */
    private static void entries(List<String> body, StringBuilder roff) {
        List<String> plain = new ArrayList<>();
        int textColumn = -1;
        for (String line : body) {
            if (line.isBlank()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            if (textColumn > 0 && indent >= textColumn - 1 && indent > 2) {
                roff.append(escape(line.trim())).append('\n');
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^ {1,4}(\\S(?:.*?\\S)?)( {2,})(\\S.*)$").matcher(line);
            if (indent > 0 && m.matches()) {
                paragraphs(plain, roff);
                plain.clear();
                roff.append(".TP\n.B ").append(escape(m.group(1))).append('\n').append(escape(m.group(3))).append('\n');
                textColumn = m.start(3);
            } else if (indent > 0) {
                // an entry without text (an example command line)
                paragraphs(plain, roff);
                plain.clear();
                roff.append(".PP\n.nf\n").append(escape(line.trim())).append("\n.fi\n");
                textColumn = -1;
            } else {
                plain.add(line);
                textColumn = -1;
            }
        }
        paragraphs(plain, roff);
    }

    /** roff text: backslashes doubled, '-' literal, and no line starting with a control character. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() || s.length() > 1 && Character.isUpperCase(s.charAt(1)) ? s
                : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * gzip -9n: best compression, no name and no time stamp, and the header says so (XFL 2), which
     * lintian checks; java.util.zip's GZIPOutputStream always writes XFL 0.
     */
    static void gzip(byte[] data, Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try (OutputStream raw = new DeflaterOutputStream(new NoClose(out), deflater)) {
            raw.write(data);
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        for (long v : new long[] {crc.getValue(), data.length & 0xFFFFFFFFL}) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)) & 0xFF);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, out.toByteArray());
    }

    /** Lets the deflater's stream be closed (to finish it) without closing the buffer. */
    private static final class NoClose extends java.io.FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
        }
    }
}
