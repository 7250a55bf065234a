package org.overlaygate.admin;

import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.threadio.ThreadIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one admin request: parses it ({@link CommandLine}), clears it ({@link CommandPolicy}) and
 * calls the command's Gogo function in a fresh session with the words as a list of strings. Gogo's
 * parser never sees the request (its expansion rewrites quotes, {@code %}, globs and braces even in
 * variable values), so a {@code $}, a parenthesis or a {@code %} in an argument is text; Gogo still
 * coerces each string to the type the command wants (a bundle id to a {@code Bundle}, "5" to an
 * int), and the session's streams are the command's {@code System.out} and {@code System.err}.
 */
final class CommandRunner implements AdminServer.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);

    private final CommandProcessor processor;
    private final ThreadIO threadIO;
    private final CommandPolicy policy;

    CommandRunner(CommandProcessor processor, ThreadIO threadIO, CommandPolicy policy) {
        this.processor = processor;
        this.threadIO = threadIO;
        this.policy = policy;
    }

    @Override
    public int run(String request, DataOutputStream sock) {
        PrintStream out = new PrintStream(new FramedOutputStream(sock, AdminProtocol.STDOUT), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FramedOutputStream(sock, AdminProtocol.STDERR), true, StandardCharsets.UTF_8);
        CommandPolicy.Allowed allowed;
        try {
            allowed = policy.check(CommandLine.parse(request));
        } catch (IllegalArgumentException e) {
            LOG.info("overlayadm refused: {}", LogText.escape(e.getMessage()));
            err.println(e.getMessage());
            return 1;
        }
        LOG.info("overlayadm: {}", LogText.command(allowed.name(), allowed.arguments()));
        InputStream in = new ByteArrayInputStream(new byte[0]);
        CommandSession session = processor.createSession(in, out, err);
        try {
            if (!(session.get(allowed.name()) instanceof Function command)) {
                throw new IllegalArgumentException("command not found: " + allowed.name() + " (its bundle went away meanwhile)");
            }
            Object result;
            threadIO.setStreams(in, out, err);
            try {
                result = command.execute(session, new ArrayList<>(allowed.arguments()));
            } finally {
                threadIO.close();
            }
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                if (allowed.textIsError() && text.toString().isBlank()) {
                    text = "";
                }
                PrintStream to = allowed.textIsError() && text.length() > 0 ? err : out;
                to.print(text);
                if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
                    to.println();
                }
                if (to == err) {
                    return 1; // felix:update and friends report their failure as text
                }
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println(CommandErrors.message(e));
            if (!CommandErrors.isOperatorError(e)) {
                LOG.error("overlayadm command '{}' failed", LogText.command(allowed.name(), allowed.arguments()), e);
            }
            err.flush();
            return 1;
        } finally {
            session.close();
        }
    }
}
