package org.overlaygate.appliance;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.jar.JarFile;

import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The parts of readiness that are judgements on what the framework shows; each returns what is still on its way. */
final class ReadinessCheck {
    private ReadinessCheck() {
    }

    /** What Declarative Services shows of one component: its description, whether enabled, and its configurations. */
    record Component(String bundle, ComponentDescriptionDTO description, boolean enabled, Collection<ComponentConfigurationDTO> configurations) {
    }

    /**
     * Components still on their way: enabled by default but not yet enabled; enabled but not yet
     * created (unless they wait for a configuration); or unsatisfied while a service that would
     * satisfy them is registered (it is being bound). A component waiting for a service nobody
     * registers is settled: it may wait for ever (a profile left its provider out).
     */
    static List<String> components(Collection<Component> components) {
        List<String> pending = new ArrayList<>();
        for (Component c : components) {
            ComponentDescriptionDTO d = c.description();
            String name = d.name + " (" + c.bundle() + ")";
            if (!c.enabled()) {
                if (d.defaultEnabled) {
                    pending.add(name + " is not enabled yet");
                }
                continue;
            }
            if (c.configurations().isEmpty()) {
                if (!"require".equals(d.configurationPolicy)) {
                    pending.add(name + " is not created yet");
                }
                continue;
            }
            for (ComponentConfigurationDTO config : c.configurations()) {
                if (config.state != ComponentConfigurationDTO.UNSATISFIED_REFERENCE || config.unsatisfiedReferences == null) {
                    continue;
                }
                for (UnsatisfiedReferenceDTO u : config.unsatisfiedReferences) {
                    if (u.targetServices != null && u.targetServices.length > 0) {
                        pending.add(name + " is binding " + u.name);
                    }
                }
            }
        }
        return pending;
    }

    /** A bundle as FileInstall left it: where it was installed from, and whether it is installed. */
    interface Installed {
        /** Whether a bundle was installed from {@code jar} (its location names that file). */
        boolean contains(Path jar);
    }

    /** Jars of the watched directory that are bundles and that FileInstall has not installed yet. */
    static List<String> plugins(Path dir, Installed installed) {
        List<String> pending = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return pending;
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path jar : jars) {
                if (isBundle(jar) && !installed.contains(jar.toAbsolutePath().normalize())) {
                    pending.add(dir.getFileName() + "/" + jar.getFileName() + " is not installed yet");
                }
            }
        } catch (IOException e) {
            pending.add("cannot list " + dir + ": " + e.getMessage());
        }
        return pending;
    }

    /** Whether the jar names a bundle; one FileInstall cannot install is its business (varpd lists it as FAILED). */
    static boolean isBundle(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest() != null && f.getManifest().getMainAttributes().getValue("Bundle-SymbolicName") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The file a bundle location names ({@code file:/...}), or null for another kind of location. */
    static Path file(String location) {
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            return Paths.get(URI.create(location)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
