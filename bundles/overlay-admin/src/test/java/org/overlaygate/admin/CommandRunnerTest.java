package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The runner in a real Gogo runtime: allowed commands get exactly the literal words, typed
 * arguments are coerced, refused ones never run, and a fuzz of hostile lines never runs anything
 * outside the allow-list nor escapes as an exception.
 */
public class CommandRunnerTest {
    /** Our own commands, as a component of an org.overlaygate bundle would register them. */
    public static final class Own {
        final List<List<String>> echoed = new CopyOnWriteArrayList<>();
        final List<Integer> typed = new CopyOnWriteArrayList<>();

        public String echo(String... args) {
            echoed.add(List.of(args));
            return "echo " + args.length + "\n";
        }

        public String typed(int n) {
            typed.add(n);
            return "n=" + n;
        }

        public void print() {
            System.out.println("printed");
        }

        public String refuse(String... args) {
            throw new IllegalArgumentException("bad input\nsecond line");
        }

        public String boom() {
            throw new NullPointerException("bug");
        }
    }

    /** Stands for built-ins the socket must never run; records any call. */
    public static final class Canary {
        final List<String> calls = new CopyOnWriteArrayList<>();

        public String install(String... args) {
            calls.add("install " + List.of(args));
            return "installed";
        }

        public String ls(String... args) {
            calls.add("ls " + List.of(args));
            return "listing";
        }

        public String start(String... args) {
            calls.add("start " + List.of(args));
            return "Bundle ID '" + args[0] + "'  is invalid.";
        }
    }

    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;
    private final Own own = new Own();
    private final Canary canary = new Canary();
    private CommandRunner runner;

    @Before
    public void gogo() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        Map<String, Set<String>> commands = new HashMap<>();
        for (String f : List.of("echo", "typed", "print", "refuse", "boom")) {
            processor.addCommand("overlay", own, f);
            commands.put("overlay:" + f, Set.of("org.overlaygate.varpd"));
        }
        for (String f : List.of("install", "ls", "start")) {
            processor.addCommand("felix", canary, f);
            commands.put("felix:" + f, Set.of("org.apache.felix.gogo.command"));
        }
        runner = new CommandRunner(processor, threadIO, new CommandPolicy(new CommandPolicy.Catalog() {
            @Override
            public Map<String, Set<String>> commands() {
                return commands;
            }

            @Override
            public String bundle(long id) {
                return id == 20 ? "org.overlaygate.search.direct" : null;
            }

            @Override
            public long self() {
                return 14;
            }
        }));
    }

    @After
    public void stop() {
        processor.stop();
        threadIO.stop();
    }

    record Result(int status, String out, String err) {
    }

    Result run(String line) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = runner.run(line, new DataOutputStream(bytes));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        while (in.available() > 0) {
            int type = in.readUnsignedByte();
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            (type == AdminProtocol.STDOUT ? out : err).append(new String(b, StandardCharsets.UTF_8));
        }
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    public void argumentsArriveLiterallyWhateverTheyContain() throws IOException {
        Result r = run("overlay:echo '$x' \"(1 + 2)\" %s 100% \"a\nb\" '' \"{ closure }\" \\$.context -p");
        assertEquals(r.toString(), 0, r.status());
        assertEquals("echo 9\n", r.out());
        assertEquals(List.of(List.of("$x", "(1 + 2)", "%s", "100%", "a\nb", "", "{ closure }", "$.context", "-p")), own.echoed);
    }

    @Test
    public void typedArgumentsAreCoercedAndOutputStreams() throws IOException {
        assertEquals(new Result(0, "n=42\n", ""), run("overlay:typed 42"));
        assertEquals(List.of(42), own.typed);
        assertEquals(new Result(0, "printed\n", ""), run("overlay:print"));
        Result wrong = run("overlay:typed many");
        assertEquals(1, wrong.status());
        assertTrue(wrong.err(), wrong.err().startsWith("Cannot coerce typed(String) to any of [(int)]"));
    }

    @Test
    public void failuresAreOneLineOnStderr() throws IOException {
        assertEquals(new Result(1, "", "bad input second line\n"), run("overlay:refuse x"));
        assertEquals(new Result(1, "", "internal error: NullPointerException: bug (details in the log)\n"), run("overlay:boom"));
        assertEquals(new Result(1, "", "command not found: overlay:nonsense; help lists the appliance's commands\n"), run("overlay:nonsense"));
        Result evaluated = run("((($.context bundles) 0) loadclass java.lang.Runtime)");
        assertEquals(1, evaluated.status());
        assertTrue(evaluated.err(), evaluated.err().contains("overlayadm runs one command with literal arguments"));
    }

    @Test
    public void builtinsOutsideTheAllowListNeverRun() throws IOException {
        Result install = run("felix:install file:/tmp/x.jar");
        assertEquals(1, install.status());
        assertTrue(install.err(), install.err().startsWith("felix:install is not available through overlayadm"));
        assertEquals(1, run("felix:ls /root").status());
        Result start = run("felix:start 20");
        assertEquals("a built-in reporting failure as text exits 1 with it on stderr", new Result(1, "", "Bundle ID '20'  is invalid.\n"), start);
        assertEquals(List.of("start [20]"), canary.calls);
    }

    /**
     * Seeded random lines made of shell and Gogo syntax, known exploits and plain words: each is
     * answered with a status (0 or 1) and one error line at most; nothing but the allowed commands
     * runs; an allowed command gets exactly the words the parser found.
     */
    @Test
    public void fuzzHostileLinesRunNothingOutsideTheAllowList() throws IOException {
        String[] pieces = {"overlay:echo", "felix:install", "felix:ls", "gogo:eval", "echo", "$", "(", ")", "{", "}", "[", "]", "|", ";", "&", "<",
            ">", "`", "%", "%s", "%n", "'", "\"", "\\", "\n", "\r", "\t", " ", " ", " ", "$.context", "bundles", "0", "loadclass",
            "java.lang.Runtime", "getMethod", "getRuntime", "invoke", "null", "exec", "touch /tmp/og-fuzz", "$(id)", "${x}", "x=y",
            "-p", "=", ":", "a", "bb", "\u00e9", "\u0000", "ls /root", "felix:install file:/tmp/x.jar", "overlay:echo"};
        Random random = new Random(112026);
        int ran = 0;
        for (int round = 0; round < 5000; round++) {
            String text;
            int n = 1 + random.nextInt(10);
            if (round % 2 == 0) { // raw: whatever an attacker writes on the socket
                StringBuilder line = new StringBuilder(random.nextBoolean() ? "overlay:echo " : "");
                for (int i = 0; i < n; i++) {
                    line.append(pieces[random.nextInt(pieces.length)]);
                    if (random.nextInt(3) > 0) {
                        line.append(' ');
                    }
                }
                text = line.toString();
            } else { // quoted by the client: every piece is an argument
                List<String> words = new ArrayList<>(List.of(random.nextInt(4) > 0 ? "overlay:echo" : "felix:install"));
                for (int i = 0; i < n; i++) {
                    words.add(pieces[random.nextInt(pieces.length)]);
                }
                text = CommandLineTest.quote(words);
            }
            int before = own.echoed.size();
            Result r = run(text);
            assertTrue(text + " -> " + r, r.status() == 0 || r.status() == 1);
            if (r.status() == 1) {
                assertEquals(text + " -> one error line: " + r.err(), 1, r.err().split("\n", -1).length - 1);
            }
            if (own.echoed.size() > before) {
                ran++;
                CommandLine parsed = CommandLine.parse(text);
                assertEquals(text, "overlay:echo", parsed.command().equals("echo") ? "overlay:echo" : parsed.command());
                assertEquals(text, parsed.arguments(), own.echoed.get(own.echoed.size() - 1));
            }
        }
        assertTrue(ran + " lines ran overlay:echo", ran > 1000);
        assertEquals("nothing outside the allow-list ran", List.of(), canary.calls);
        assertFalse(new java.io.File("/tmp/og-fuzz").exists());
    }
}
