package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;
import org.overlaygate.itests.leak.LeakingActivator;

/**
 * Issue 23, item 1: out of memory, the appliance lost its I/O, admin and timer threads and lived on
 * answering nothing, with nothing in its log; only SIGKILL ended it. Now the JVM exits with status
 * 3 (systemd's Restart=on-failure starts it again) and the reason is in log/overlaygate.log. The
 * heap is exhausted by a plugin dropped into plugins.d/ that keeps everything it allocates.
 */
public class OutOfMemoryIT {
    @Test
    public void outOfMemoryEndsTheApplianceWithItsReasonLogged() throws Exception {
        try (Distribution dist = Distribution.copy()) {
            KatarDistributionIT.useFreePort(dist);
            int http;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                http = s.getLocalPort();
            }
            Process appliance = dist.startCommand(java.util.Map.of("OVERLAYGATE_HEAP", "128m", "JAVA_OPTS", "-Doverlaygate.http.port=" + http),
                    java.util.List.of(dist.home.resolve("bin/overlaygate").toString()));
            dist.awaitReady(60_000);
            PluginJars.drop(leakingBundle(dist.home), dist.home.resolve("plugins.d"), "leak.jar");
            assertTrue("the appliance ended within 60 s of the plugin's arrival", appliance.waitFor(60, TimeUnit.SECONDS));
            assertEquals("the exit status systemd restarts on", 3, appliance.exitValue());
            String log = dist.log();
            assertTrue(log, log.contains("ERROR [jvm] overlaygate - java.lang.OutOfMemoryError (pid " + appliance.pid()
                    + "): the appliance exits (status 3) to be restarted"));
        }
    }

    /** A bundle of the one class {@link LeakingActivator}, made where the test runs. */
    static Path leakingBundle(Path into) throws Exception {
        Path out = into.resolve("leak-build.jar");
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(new Attributes.Name("Bundle-ManifestVersion"), "2");
        a.put(new Attributes.Name("Bundle-SymbolicName"), "org.overlaygate.itests.leak");
        a.put(new Attributes.Name("Bundle-Version"), "1.0.0");
        a.put(new Attributes.Name("Bundle-Activator"), LeakingActivator.class.getName());
        a.put(new Attributes.Name("Import-Package"), "org.osgi.framework");
        String entry = LeakingActivator.class.getName().replace('.', '/') + ".class";
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, mf);
                InputStream in = LeakingActivator.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
        }
        return out;
    }
}
