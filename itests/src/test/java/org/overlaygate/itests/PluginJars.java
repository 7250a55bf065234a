package org.overlaygate.itests;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Makes and drops plugin jars the way an operator should: written elsewhere, then moved in. */
final class PluginJars {
    private PluginJars() {
    }

    /** Moves {@code source}'s bytes into {@code dir/name} atomically (the watcher never sees half a jar). */
    static Path drop(Path source, Path dir, String name) throws IOException {
        Path tmp = dir.resolve("." + name + ".part");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A copy of a bundle with another Bundle-Version: what a newer build of the plugin looks like. */
    static Path withVersion(Path bundle, String version, Path into) throws IOException {
        Path out = into.resolve(bundle.getFileName().toString().replace(".jar", "-" + version + ".jar"));
        try (JarInputStream in = new JarInputStream(Files.newInputStream(bundle))) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), mf)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    jar.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(jar);
                    jar.closeEntry();
                }
            }
        }
        return out;
    }

    /** A jar with a manifest but no Bundle-SymbolicName: not a bundle. */
    static Path plainJar(Path into) throws IOException {
        Path out = into.resolve("plain.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), mf)) {
            jar.putNextEntry(new JarEntry("hello.txt"));
            jar.write("not a bundle".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            jar.closeEntry();
        }
        return out;
    }

    /** A bundle importing a package that nothing exports. */
    static Path unresolvableBundle(Path into) throws IOException {
        Path out = into.resolve("unresolvable.jar");
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(new Attributes.Name("Bundle-ManifestVersion"), "2");
        a.put(new Attributes.Name("Bundle-SymbolicName"), "com.example.unresolvable");
        a.put(new Attributes.Name("Bundle-Version"), "1.0.0");
        a.put(new Attributes.Name("Import-Package"), "com.example.nowhere;version=\"[1.0,2)\"");
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, mf)) {
            jar.putNextEntry(new JarEntry("README"));
            jar.write('x');
            jar.closeEntry();
        }
        return out;
    }
}
