package org.overlaygate.appliance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

public class ReadinessCheckTest {

    private static ComponentDescriptionDTO description(String name, boolean defaultEnabled, String policy) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.defaultEnabled = defaultEnabled;
        d.configurationPolicy = policy;
        return d;
    }

    private static ComponentConfigurationDTO config(int state, UnsatisfiedReferenceDTO... unsatisfied) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.state = state;
        c.unsatisfiedReferences = unsatisfied;
        return c;
    }

    private static UnsatisfiedReferenceDTO unsatisfied(String name, int matching) {
        UnsatisfiedReferenceDTO u = new UnsatisfiedReferenceDTO();
        u.name = name;
        u.targetServices = new ServiceReferenceDTO[matching];
        for (int i = 0; i < matching; i++) {
            u.targetServices[i] = new ServiceReferenceDTO();
        }
        return u;
    }

    @Test
    public void componentsOnTheirWayArePendingAndThoseWaitingForNobodyAreNot() {
        List<ReadinessCheck.Component> components = List.of(
                new ReadinessCheck.Component("b", description("active", true, "optional"), true,
                        List.of(config(ComponentConfigurationDTO.ACTIVE))),
                new ReadinessCheck.Component("b", description("delayed", true, "optional"), true,
                        List.of(config(ComponentConfigurationDTO.SATISFIED))),
                new ReadinessCheck.Component("b", description("broken", true, "optional"), true,
                        List.of(config(ComponentConfigurationDTO.FAILED_ACTIVATION))),
                new ReadinessCheck.Component("b", description("disabled on purpose", false, "optional"), false, List.of()),
                new ReadinessCheck.Component("b", description("waits for a configuration", true, "require"), true, List.of()),
                new ReadinessCheck.Component("b", description("waits for nobody", true, "optional"), true,
                        List.of(config(ComponentConfigurationDTO.UNSATISFIED_REFERENCE, unsatisfied("ready", 0)))));
        assertEquals(List.of(), ReadinessCheck.components(components));

        List<ReadinessCheck.Component> onTheirWay = List.of(
                new ReadinessCheck.Component("b", description("not enabled", true, "optional"), false, List.of()),
                new ReadinessCheck.Component("b", description("not created", true, "optional"), true, List.of()),
                new ReadinessCheck.Component("b", description("binding", true, "optional"), true,
                        List.of(config(ComponentConfigurationDTO.UNSATISFIED_REFERENCE, unsatisfied("ready", 0), unsatisfied("manager", 1)))));
        assertEquals(List.of("not enabled (b) is not enabled yet", "not created (b) is not created yet", "binding (b) is binding manager"),
                ReadinessCheck.components(onTheirWay));
    }

    @Test
    public void pluginJarsThatAreBundlesMustBeInstalled() throws Exception {
        Path dir = Files.createTempDirectory("og-plugins");
        try {
            Path bundle = dir.resolve("encap-x.jar");
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.x");
            new JarOutputStream(Files.newOutputStream(bundle), m).close();
            Files.write(dir.resolve("not-a-bundle.jar"), new byte[] {'P', 'K', 3, 4});
            Files.writeString(dir.resolve("README.md"), "not a jar");

            assertEquals(List.of(dir.getFileName() + "/encap-x.jar is not installed yet"), ReadinessCheck.plugins(dir, jar -> false));
            assertEquals(List.of(), ReadinessCheck.plugins(dir, jar -> jar.equals(bundle.toAbsolutePath().normalize())));
            assertEquals(List.of(), ReadinessCheck.plugins(dir.resolve("absent"), jar -> false));

            assertEquals(bundle.toAbsolutePath().normalize(), ReadinessCheck.file(bundle.toUri().toString()));
            assertEquals(bundle.toAbsolutePath().normalize(), ReadinessCheck.file("file:" + bundle.toAbsolutePath()));
            assertNull(ReadinessCheck.file("mvn:org.example/x/1.0"));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
