package org.overlaygate.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Function;

import ch.qos.logback.core.OutputStreamAppender;

/**
 * A logback appender that writes to the process's own standard output or error (file descriptor 1
 * or 2), whatever {@code System.out} and {@code System.err} are at the moment. Logback's
 * {@code ConsoleAppender} looks up {@code System.out} at every write, and Gogo's ThreadIO replaces
 * it with a stream that sends each thread's output to that thread's command: a line logged while a
 * command runs for {@code overlayadm} would go to the caller instead of the journal. The log is
 * not a command's output, so it is written to the descriptor itself; each event is one write.
 * {@code <target>} is {@code System.out} (default) or {@code System.err}, as for ConsoleAppender.
 */
public final class ProcessStreamAppender<E> extends OutputStreamAppender<E> {
    /**
     * Opens a stream on a descriptor: the descriptor itself, except in a test, which sees what is
     * written there instead of writing into its test runner's channel (logback makes appenders by
     * reflection from the configuration file, so this is the one place to say it).
     */
    static volatile Function<FileDescriptor, OutputStream> descriptors = FileOutputStream::new;

    private boolean toError;

    public void setTarget(String target) {
        String t = target == null ? "" : target.trim();
        if (t.equalsIgnoreCase("System.err")) {
            toError = true;
        } else if (t.equalsIgnoreCase("System.out")) {
            toError = false;
        } else {
            addError("target '" + target + "' is neither System.out nor System.err; using System.out");
            toError = false;
        }
    }

    @Override
    public void start() {
        setOutputStream(new KeptOpen(descriptors.apply(toError ? FileDescriptor.err : FileDescriptor.out)));
        super.start();
    }

    /** Flushes instead of closing: stopping the appender must not close the process's descriptor. */
    private static final class KeptOpen extends FilterOutputStream {
        KeptOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
