package org.overlaygate.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.Test;

/**
 * The shipped etc/logback.xml under systemd (OVERLAYGATE_LOG=journal) and on a terminal: a line
 * logged while {@code System.out} and {@code System.err} are a command's streams (as Gogo's
 * ThreadIO makes them while {@code overlayadm} runs a command) does not go to the command.
 */
public class LogDestinationTest {
    private static final Path CONFIG = Paths.get("src/main/dist/etc/logback.xml");

    /** What the appender wrote to descriptors 1 and 2, instead of the descriptors themselves. */
    private static final ByteArrayOutputStream DESCRIPTORS = new ByteArrayOutputStream();

    private static String loggedDuringACommand(Map<String, String> properties) throws Exception {
        Path home = Files.createTempDirectory("og-log");
        properties.forEach(System::setProperty);
        System.setProperty("overlaygate.home", home.toString());
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        DESCRIPTORS.reset();
        ProcessStreamAppender.descriptors = fd -> DESCRIPTORS;
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            joran.doConfigure(CONFIG.toFile());
            PrintStream commandStream = new PrintStream(command, true, StandardCharsets.UTF_8);
            System.setOut(commandStream);
            System.setErr(commandStream);
            context.getLogger("org.overlaygate.varpd.Test").warn("a line the command caused");
        } finally {
            ProcessStreamAppender.descriptors = java.io.FileOutputStream::new;
            System.setOut(out);
            System.setErr(err);
            context.stop();
            properties.keySet().forEach(System::clearProperty);
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return command.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void theJournalDestinationDoesNotWriteIntoACommandsOutput() throws Exception {
        assertTrue(Files.exists(CONFIG));
        assertEquals("", loggedDuringACommand(Map.of("overlaygate.log.file", "JOURNAL", "overlaygate.log.console", "JOURNAL")));
        assertTrue("the journal gets it: " + DESCRIPTORS, DESCRIPTORS.toString(StandardCharsets.UTF_8)
                .contains("WARN  [main] org.overlaygate.varpd.Test - a line the command caused\n"));
    }

    @Test
    public void theTerminalsWarningsDoNotGoIntoACommandsErrors() throws Exception {
        assertEquals("", loggedDuringACommand(Map.of()));
        assertTrue("the terminal gets it: " + DESCRIPTORS, DESCRIPTORS.toString(StandardCharsets.UTF_8)
                .contains("WARN  Test: a line the command caused\n"));
    }
}
