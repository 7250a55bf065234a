package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Overlay and VNIC definitions kept durably through ConfigAdmin (which writes them under the data
 * directory), one factory configuration each. Configurations are created with location "?" so that
 * they are not bound to this bundle's location and survive varpd being replaced.
 */
@Component(service = DefinitionStore.class)
public final class DefinitionStore {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionStore.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    /** Every stored overlay; a damaged one is logged and skipped, never fatal. */
    public List<OverlayDefinition> overlays() throws IOException {
        List<OverlayDefinition> out = new ArrayList<>();
        for (Configuration c : list(OverlayDefinition.FACTORY_PID)) {
            try {
                out.add(OverlayDefinition.fromDictionary(c.getProperties()));
            } catch (RuntimeException e) {
                LOG.error("ignoring damaged overlay definition {}: {}", c.getPid(), e.getMessage());
            }
        }
        out.sort(Comparator.comparing(d -> d.name));
        return out;
    }

    public List<VnicDefinition> vnics() throws IOException {
        List<VnicDefinition> out = new ArrayList<>();
        for (Configuration c : list(VnicDefinition.FACTORY_PID)) {
            try {
                out.add(VnicDefinition.fromDictionary(c.getProperties()));
            } catch (RuntimeException e) {
                LOG.error("ignoring damaged VNIC definition {}: {}", c.getPid(), e.getMessage());
            }
        }
        out.sort(Comparator.comparing(d -> d.name));
        return out;
    }

    /** Creates or replaces the stored overlay of that name. */
    public void save(OverlayDefinition d) throws IOException {
        Configuration c = find(OverlayDefinition.FACTORY_PID, OverlayDefinition.NAME, d.name);
        if (c == null) {
            c = configAdmin.createFactoryConfiguration(OverlayDefinition.FACTORY_PID, "?");
        }
        c.update(d.toDictionary());
    }

    public void save(VnicDefinition d) throws IOException {
        Configuration c = find(VnicDefinition.FACTORY_PID, VnicDefinition.NAME, d.name);
        if (c == null) {
            c = configAdmin.createFactoryConfiguration(VnicDefinition.FACTORY_PID, "?");
        }
        c.update(d.toDictionary());
    }

    public void deleteOverlay(String name) throws IOException {
        Configuration c = find(OverlayDefinition.FACTORY_PID, OverlayDefinition.NAME, name);
        if (c != null) {
            c.delete();
        }
    }

    public void deleteVnic(String name) throws IOException {
        Configuration c = find(VnicDefinition.FACTORY_PID, VnicDefinition.NAME, name);
        if (c != null) {
            c.delete();
        }
    }

    private Configuration find(String factoryPid, String key, String name) throws IOException {
        for (Configuration c : list(factoryPid)) {
            Object v = c.getProperties() == null ? null : c.getProperties().get(key);
            if (name.equals(v)) {
                return c;
            }
        }
        return null;
    }

    private List<Configuration> list(String factoryPid) throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.factoryPid=" + factoryPid + ")");
            List<Configuration> out = new ArrayList<>();
            if (found != null) {
                for (Configuration c : found) {
                    if (c.getProperties() != null) {
                        out.add(c);
                    }
                }
            }
            return out;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
