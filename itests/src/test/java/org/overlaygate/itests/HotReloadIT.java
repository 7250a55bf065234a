package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collection;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.search.SearchPlugin;

/**
 * Hot reload through {@code plugins.d/} as an operator sees it: drop a plugin in, copy a newer
 * version over it, delete it; drop in jars that cannot work and see them reported without harm.
 * FileInstall polls every 500 ms, as in the distribution, and each step must be visible in
 * {@code overlay:plugins} within 2 s.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HotReloadIT {
    private static final long WITHIN_MS = 2000;

    @Inject
    private BundleContext context;
    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() throws Exception {
        Path plugins = Files.createTempDirectory("og-plugins.d");
        return options(ExamOptions.base(plugins), ExamOptions.bundlePath("encap-vxlan"), ExamOptions.bundlePath("search-direct"));
    }

    /** Pax Exam may share one plugins directory between the methods' frameworks: start each empty. */
    @Before
    public void emptyPluginsDirectory() throws Exception {
        try (java.util.stream.Stream<Path> files = Files.list(pluginsDir())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        String dirUri = pluginsDir().toUri().toString();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Arrays.stream(context.getBundles()).anyMatch(b -> b.getLocation().startsWith(dirUri)) && System.nanoTime() < deadline) {
            Thread.sleep(50); // FileInstall has not yet uninstalled what an earlier test left
        }
        new Shell(processor).await("overlay:plugins", out -> out.startsWith("no plugins"), WITHIN_MS, "an empty plugins.d");
    }

    private Path pluginsDir() {
        return Paths.get(context.getProperty("felix.fileinstall.dir"));
    }

    private static Path built(String key) {
        return Paths.get(ExamOptions.prop("og.bundle." + key));
    }

    private static boolean hasLine(String output, String... words) {
        return output.lines().anyMatch(l -> Arrays.stream(words).allMatch(l::contains));
    }

    @Test
    public void dropInUpdateAndDeleteAPlugin() throws Exception {
        Shell shell = new Shell(processor);
        Path dir = pluginsDir();

        PluginJars.drop(built("encap-vxlan"), dir, "encap-vxlan.jar");
        String listed = shell.await("overlay:plugins", out -> hasLine(out, "encap", "vxlan", "udp/4789", "org.overlaygate.encap.vxlan", "ACTIVE"),
                WITHIN_MS, "the dropped vxlan plugin is listed ACTIVE");
        assertTrue(listed, hasLine(listed, "vxlan/listen_ip", "ip", "--", "yes"));
        assertTrue(listed, hasLine(listed, "vxlan/listen_port", "uint", "4789", "no", "1-65535"));
        assertNotNull(context.getServiceReference(EncapsulationPlugin.class));
        Bundle first = bundleAt(dir.resolve("encap-vxlan.jar"));
        long firstId = first.getBundleId();

        Path newer = PluginJars.withVersion(built("encap-vxlan"), "9.1.0", Files.createTempDirectory("og-build"));
        PluginJars.drop(newer, dir, "encap-vxlan.jar");
        String updated = shell.await("overlay:plugins", out -> hasLine(out, "vxlan", "9.1.0", "ACTIVE"), WITHIN_MS,
                "the copied-over vxlan plugin is listed at version 9.1.0");
        assertFalse("the old version is gone:\n" + updated, updated.contains("0.1.0.SNAPSHOT"));
        Bundle after = bundleAt(dir.resolve("encap-vxlan.jar"));
        assertEquals("updated in place, not installed anew", firstId, after.getBundleId());
        assertEquals("9.1.0", after.getVersion().toString());

        Files.delete(dir.resolve("encap-vxlan.jar"));
        // FileInstall may still be refreshing the update (stopping and starting the bundle) when it
        // sees the deletion, so the plugin can vanish and come back once before it is uninstalled:
        // wait for the uninstall, then nothing of the plugin may be left.
        // (In the framework, where test-support's Await is not: the shell's own polling.)
        shell.await("overlay:plugins", out -> context.getBundle(firstId) == null && out.startsWith("no plugins"), 10_000,
                "FileInstall to uninstall the deleted plugin, and the plugin to disappear");
        assertNull(context.getServiceReference(EncapsulationPlugin.class));
    }

    @Test
    public void brokenJarsAreReportedAndChangeNothingElse() throws Exception {
        Shell shell = new Shell(processor);
        Path dir = pluginsDir();
        PluginJars.drop(built("search-direct"), dir, "search-direct.jar");
        shell.await("overlay:plugins", out -> hasLine(out, "search", "direct", "point", "ACTIVE"), WITHIN_MS, "direct is listed");
        ServiceReference<SearchPlugin> direct = context.getServiceReference(SearchPlugin.class);
        long directServiceId = (Long) direct.getProperty("service.id");
        Bundle directBundle = direct.getBundle();
        long directModified = directBundle.getLastModified();
        int bundlesBefore = context.getBundles().length;

        Path work = Files.createTempDirectory("og-broken");
        PluginJars.drop(PluginJars.plainJar(work), dir, "plain.jar");
        PluginJars.drop(PluginJars.unresolvableBundle(work), dir, "unresolvable.jar");
        Files.write(dir.resolve("garbage.jar"), new byte[] {1, 2, 3, 4});

        String out = shell.await("overlay:plugins", o -> hasLine(o, "plain.jar", "FAILED") && hasLine(o, "unresolvable.jar", "FAILED")
                && hasLine(o, "garbage.jar", "FAILED"), WITHIN_MS + 1000, "the three broken jars are listed FAILED");
        assertTrue(out, out.contains("file plain.jar: FAILED: not an OSGi bundle: no Bundle-SymbolicName in its manifest"));
        assertTrue(out, out.contains("file unresolvable.jar: FAILED: unresolved: missing package com.example.nowhere [1.0.0,2.0.0)"));
        assertTrue(out, out.contains("file garbage.jar: FAILED: not a readable jar"));
        assertTrue(out, hasLine(out, "search", "direct", "point", "ACTIVE"));

        ServiceReference<SearchPlugin> still = context.getServiceReference(SearchPlugin.class);
        assertEquals("the direct plugin was not restarted", directServiceId, (long) (Long) still.getProperty("service.id"));
        assertEquals(Bundle.ACTIVE, directBundle.getState());
        assertEquals(directModified, directBundle.getLastModified());
        assertEquals("only the unresolvable bundle was installed", bundlesBefore + 1, context.getBundles().length);

        for (String name : new String[] {"plain.jar", "unresolvable.jar", "garbage.jar"}) {
            Files.delete(dir.resolve(name));
        }
        // a positive condition too: a failing command's exception text contains no "FAILED" either
        shell.await("overlay:plugins", o -> !o.contains("FAILED") && hasLine(o, "search", "direct", "point", "ACTIVE"), WITHIN_MS,
                "removed broken jars are no longer listed");
    }

    private Bundle bundleAt(Path jar) {
        String location = jar.toUri().toString();
        Collection<Bundle> found = Arrays.stream(context.getBundles())
                .filter(b -> Paths.get(java.net.URI.create(b.getLocation().startsWith("file:") ? b.getLocation() : "file:/nonexistent"))
                        .equals(jar.toAbsolutePath()))
                .collect(java.util.stream.Collectors.toList());
        assertEquals("one bundle installed from " + location, 1, found.size());
        return found.iterator().next();
    }
}
