package org.overlaygate.core.os;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The running kernel's release, for the version half of each offload probe (the other half is a
 * real setsockopt or ioctl): a feature is used only when the kernel is new enough to have it right
 * and the call that turns it on succeeds.
 */
public final class Kernel {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final String RELEASE = System.getProperty("os.version", "");
    private static final int VERSION_CODE = code(RELEASE);

    private Kernel() {
    }

    /** "6.1.0-18-amd64": what uname -r says. */
    public static String release() {
        return RELEASE;
    }

    /** Whether the kernel is at least major.minor (false when its release cannot be read). */
    public static boolean atLeast(int major, int minor) {
        return VERSION_CODE >= major * 1000 + minor;
    }

    /** major * 1000 + minor of a release string, 0 when it has none. */
    static int code(String release) {
        Matcher m = VERSION.matcher(release);
        if (!m.lookingAt()) {
            return 0;
        }
        return Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2));
    }

    /** "Linux 5.10 or later (this is 4.19.0-17)", for a feature's off reason. */
    public static String needs(int major, int minor) {
        return "needs Linux " + major + "." + minor + " or later (this is " + RELEASE + ")";
    }
}
