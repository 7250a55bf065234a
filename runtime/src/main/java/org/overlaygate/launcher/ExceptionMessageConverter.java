package org.overlaygate.launcher;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback conversion word {@code %exmsg}: the exception's class and message on one line, with no
 * stack trace. The console uses it (the log file keeps the full trace), so an operator sees why
 * something failed without a wall of frames.
 */
public final class ExceptionMessageConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        if (t == null) {
            return "";
        }
        String cls = t.getClassName().substring(t.getClassName().lastIndexOf('.') + 1);
        return "  (" + cls + (t.getMessage() == null ? "" : ": " + t.getMessage().replace('\n', ' ')) + ")";
    }
}
