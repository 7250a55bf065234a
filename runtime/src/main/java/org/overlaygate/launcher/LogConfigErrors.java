package org.overlaygate.launcher;

import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Logback status listener of etc/logback.xml: prints errors in the logging configuration to
 * standard error and nothing else. Without a listener logback prints its whole status, every
 * informational line included, as soon as anything warns, and it warns about the appenders that
 * the chosen destination leaves unused (etc/logback.xml chooses among FILE, CONSOLE and JOURNAL).
 */
public final class LogConfigErrors implements StatusListener {
    @Override
    public void addStatusEvent(Status status) {
        if (status.getEffectiveLevel() >= Status.ERROR) {
            System.err.println("overlaygate: logging: " + status.getMessage()
                    + (status.getThrowable() == null ? "" : " (" + status.getThrowable() + ")"));
        }
    }

    @Override
    public boolean isResetResistant() {
        return true;
    }
}
