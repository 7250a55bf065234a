package org.overlaygate.launcher;

import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.slf4j.LoggerFactory;

/** Sends Felix's own log messages to slf4j, so they reach the log file like everything else. */
final class Slf4jFrameworkLogger extends Logger {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("org.apache.felix.framework");

    @Override
    protected void doLog(Bundle bundle, @SuppressWarnings("rawtypes") ServiceReference sr, int level, String msg, Throwable t) {
        String text = bundle == null ? msg : bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]: " + msg;
        switch (level) {
            case LOG_ERROR:
                LOG.error(text, t);
                break;
            case LOG_WARNING:
                LOG.warn(text, t);
                break;
            case LOG_INFO:
                LOG.info(text, t);
                break;
            default:
                LOG.debug(text, t);
        }
    }
}
