package org.overlaygate.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/** Runs Gogo commands in the framework under test, as an operator at the prompt would. */
final class Shell {
    private final CommandProcessor processor;

    Shell(CommandProcessor processor) {
        this.processor = processor;
    }

    /** The command's printed output plus its formatted result. */
    String run(String line) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object result = session.execute(line);
            if (result != null) {
                out.print(session.format(result, Converter.INSPECT));
            }
        } finally {
            session.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Runs {@code line} until its output satisfies {@code until}, or fails after {@code timeoutMs}. */
    String await(String line, Predicate<String> until, long timeoutMs, String what) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        String last;
        do {
            try {
                last = run(line);
            } catch (Exception e) { // not there yet (command not registered, overlay not restored)
                last = e.toString();
            }
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("within " + timeoutMs + " ms: " + what + "; last output of '" + line + "':\n" + last);
    }
}
