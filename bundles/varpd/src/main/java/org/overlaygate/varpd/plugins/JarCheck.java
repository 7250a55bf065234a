package org.overlaygate.varpd.plugins;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Constants;

/** Whether a file in {@code plugins.d/} can be a bundle at all. */
final class JarCheck {
    private JarCheck() {
    }

    /** {@code null} when the jar has a manifest with a Bundle-SymbolicName, otherwise why not. */
    static String whyNotABundle(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            if (mf == null) {
                return "not an OSGi bundle: the jar has no manifest";
            }
            String bsn = mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null || bsn.isBlank()) {
                return "not an OSGi bundle: no Bundle-SymbolicName in its manifest";
            }
            return null;
        } catch (IOException e) {
            return "not a readable jar: " + e.getMessage();
        }
    }
}
