package org.overlaygate.varpd.plugins;

import org.osgi.framework.Bundle;

/** Bundle state names as {@code lb} prints them, upper case. */
final class BundleStates {
    private BundleStates() {
    }

    static String name(int state) {
        switch (state) {
            case Bundle.UNINSTALLED:
                return "UNINSTALLED";
            case Bundle.INSTALLED:
                return "INSTALLED";
            case Bundle.RESOLVED:
                return "RESOLVED";
            case Bundle.STARTING:
                return "STARTING";
            case Bundle.STOPPING:
                return "STOPPING";
            case Bundle.ACTIVE:
                return "ACTIVE";
            default:
                return "UNKNOWN";
        }
    }
}
