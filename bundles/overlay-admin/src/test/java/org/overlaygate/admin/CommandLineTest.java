package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.Test;

public class CommandLineTest {
    /** The client's quoting (OverlayAdm.commandLine): plain words bare, others double-quoted. */
    static String quote(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            line.append(line.length() > 0 ? " " : "");
            boolean plain = !w.isEmpty() && w.matches("[A-Za-z0-9_./:=,@%+\\-]+");
            line.append(plain ? w : '"' + w.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        }
        return line.toString();
    }

    static List<String> words(CommandLine c) {
        List<String> all = new ArrayList<>();
        all.add(c.command());
        all.addAll(c.arguments());
        return all;
    }

    @Test
    public void splitsWordsAndKeepsQuotedTextLiteral() {
        CommandLine c = CommandLine.parse("  overlay:create -e vxlan\t-p 'a b' \"x \\\"y\\\" $z (q)\" c\\ d %s 100% ''");
        assertEquals("overlay:create", c.command());
        assertEquals(List.of("-e", "vxlan", "-p", "a b", "x \"y\" $z (q)", "c d", "%s", "100%", ""), c.arguments());
        assertEquals(List.of("lb"), words(CommandLine.parse("lb")));
        assertEquals(List.of("katar:host-add", "cn1", "10.0.0.1"), words(CommandLine.parse("katar:host-add cn1 10.0.0.1")));
        assertEquals("a newline inside quotes is text", List.of("a\nb"), CommandLine.parse("overlay:show \"a\nb\"").arguments());
    }

    @Test
    public void refusesWhatGogoWouldEvaluate() {
        for (String line : List.of("overlay:show $x", "overlay:show (1)", "((($.context bundles) 0) loadclass java.lang.Runtime)",
                "felix:lb | grep x", "overlay:show; felix:ls", "overlay:show {x}", "overlay:show [a=b]", "overlay:show > /tmp/x",
                "overlay:show `id`", "overlay:show a & b", "overlay:show\nfelix:ls /root", "overlay:show\r")) {
            IllegalArgumentException e = assertThrows(line, IllegalArgumentException.class, () -> CommandLine.parse(line));
            assertTrue(e.getMessage(), e.getMessage().contains("overlayadm runs one command with literal arguments"));
            assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        }
        assertEquals("empty command line", assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(" \t ")).getMessage());
        assertEquals("unbalanced \" in the command line",
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("a \"b")).getMessage());
        assertEquals("unbalanced ' in the command line",
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("a 'b")).getMessage());
        assertEquals("'\"a b\"' is not a command name (expected scope:name, e.g. overlay:show)".replace("\"a b\"", "a b"),
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("'a b' c")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("a:b:c"));
    }

    /** Seeded random words: quoted as the client quotes them, they come back exactly. */
    @Test
    public void fuzzQuotedWordsRoundTrip() {
        Random random = new Random(20261125);
        String alphabet = "abcXYZ019 -_=:,./\\\"'$(){}[]|;&<>`%*?~#!\n\r\t\u00e9\u2028\u0000";
        for (int round = 0; round < 20_000; round++) {
            List<String> words = new ArrayList<>();
            words.add("overlay:cmd" + random.nextInt(5));
            int n = random.nextInt(6);
            for (int i = 0; i < n; i++) {
                StringBuilder w = new StringBuilder();
                int len = random.nextInt(12);
                for (int k = 0; k < len; k++) {
                    w.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                words.add(w.toString());
            }
            String line = quote(words);
            assertEquals(line, words, words(CommandLine.parse(line)));
        }
    }

    /** Seeded random lines: parsed into words or refused with a one-line reason, never anything else. */
    @Test
    public void fuzzArbitraryLinesAreWordsOrOneLineRefusals() {
        Random random = new Random(1296);
        String alphabet = "ab:-=\"'\\ $(){}|;%\n";
        int parsed = 0;
        int refused = 0;
        for (int round = 0; round < 50_000; round++) {
            StringBuilder line = new StringBuilder();
            int len = random.nextInt(24);
            for (int k = 0; k < len; k++) {
                line.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                CommandLine c = CommandLine.parse(line.toString());
                assertTrue(CommandLine.COMMAND.matcher(c.command()).matches());
                parsed++;
            } catch (IllegalArgumentException e) {
                assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
                refused++;
            }
        }
        assertTrue(parsed + " parsed", parsed > 200);
        assertTrue(refused + " refused", refused > 1000);
    }

    @Test
    public void logTextIsOneLineWithSecretsMasked() {
        assertEquals("katar:config jdbc.password=*** jdbc.user=katar",
                LogText.command("katar:config", List.of("jdbc.password=hunter2", "jdbc.user=katar")));
        // Issue 23: a JDBC URL's own secrets, which katar:config refuses, never reach the log either.
        assertEquals("katar:config jdbc.url=jdbc:postgresql://db/k?user=u&password=***&sslpassword=*** jdbc.user=katar",
                LogText.command("katar:config", List.of("jdbc.url=jdbc:postgresql://db/k?user=u&password=hunter2&sslpassword=x", "jdbc.user=katar")));
        assertEquals("katar:config jdbc.url=jdbc:postgresql://katar:***@db/k",
                LogText.command("katar:config", List.of("jdbc.url=jdbc:postgresql://katar:hunter2@db/k")));
        assertEquals("overlay:create \"a\\nINFO forged line\" \"x y\"", LogText.command("overlay:create", List.of("a\nINFO forged line", "x y")));
        assertEquals("a\\u0000b\\\\n", LogText.escape("a\u0000b\\n"));
        String huge = LogText.command("overlay:show", List.of("x".repeat(100_000)));
        assertTrue(huge.length() <= LogText.MAX + 3);
    }
}
