package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * they are not bound to this bundle's location and survive varpd being replaced. The PID of each
 * name is remembered once listed or created, so saving and deleting cost the same with ten or ten
 * thousand definitions.
 */
@Component(service = DefinitionStore.class)
public final class DefinitionStore {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionStore.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    /** PIDs by factory PID and name, filled by the listings and by creation. */
    private final Map<String, String> pids = new ConcurrentHashMap<>();
    /** Factory PIDs listed once: from then on every name of theirs is in {@link #pids}. */
    private final java.util.Set<String> listed = ConcurrentHashMap.newKeySet();

    public DefinitionStore() {
    }

    /** For tests. */
    DefinitionStore(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    /** Every stored overlay; a damaged one is logged and skipped, never fatal. */
    public List<OverlayDefinition> overlays() throws IOException {
        List<OverlayDefinition> out = new ArrayList<>();
        for (Configuration c : list(OverlayDefinition.FACTORY_PID)) {
            try {
                OverlayDefinition d = OverlayDefinition.fromDictionary(c.getProperties());
                pids.put(key(OverlayDefinition.FACTORY_PID, d.name), c.getPid());
                out.add(d);
            } catch (RuntimeException e) {
                LOG.error("ignoring damaged overlay definition {}: {}", c.getPid(), e.getMessage());
            }
        }
        listed.add(OverlayDefinition.FACTORY_PID);
        out.sort(Comparator.comparing(d -> d.name));
        return out;
    }

    public List<VnicDefinition> vnics() throws IOException {
        List<VnicDefinition> out = new ArrayList<>();
        for (Configuration c : list(VnicDefinition.FACTORY_PID)) {
            try {
                VnicDefinition d = VnicDefinition.fromDictionary(c.getProperties());
                pids.put(key(VnicDefinition.FACTORY_PID, d.name), c.getPid());
                out.add(d);
            } catch (RuntimeException e) {
                LOG.error("ignoring damaged VNIC definition {}: {}", c.getPid(), e.getMessage());
            }
        }
        listed.add(VnicDefinition.FACTORY_PID);
        out.sort(Comparator.comparing(d -> d.name));
        return out;
    }

    /** Creates or replaces the stored overlay of that name. */
    public void save(OverlayDefinition d) throws IOException {
        configuration(OverlayDefinition.FACTORY_PID, OverlayDefinition.NAME, d.name, true).update(d.toDictionary());
    }

    public void save(VnicDefinition d) throws IOException {
        configuration(VnicDefinition.FACTORY_PID, VnicDefinition.NAME, d.name, true).update(d.toDictionary());
    }

    public void deleteOverlay(String name) throws IOException {
        delete(OverlayDefinition.FACTORY_PID, OverlayDefinition.NAME, name);
    }

    public void deleteVnic(String name) throws IOException {
        delete(VnicDefinition.FACTORY_PID, VnicDefinition.NAME, name);
    }

    private void delete(String factoryPid, String nameKey, String name) throws IOException {
        Configuration c = configuration(factoryPid, nameKey, name, false);
        if (c != null) {
            c.delete();
        }
        pids.remove(key(factoryPid, name));
    }

    private static String key(String factoryPid, String name) {
        return factoryPid + "/" + name;
    }

    /** The configuration of a name: by its remembered PID, else by a search, else (when asked) a new one. */
    private Configuration configuration(String factoryPid, String nameKey, String name, boolean create) throws IOException {
        String pid = pids.get(key(factoryPid, name));
        if (pid != null) {
            Configuration c = configAdmin.getConfiguration(pid, "?");
            if (c.getProperties() != null && name.equals(c.getProperties().get(nameKey))) {
                return c;
            }
            pids.remove(key(factoryPid, name)); // changed behind our back: search
            listed.remove(factoryPid);
        }
        if (!listed.contains(factoryPid)) {
            for (Configuration c : list(factoryPid)) {
                if (name.equals(c.getProperties().get(nameKey))) {
                    pids.put(key(factoryPid, name), c.getPid());
                    return c;
                }
            }
        }
        if (!create) {
            return null;
        }
        Configuration c = configAdmin.createFactoryConfiguration(factoryPid, "?");
        pids.put(key(factoryPid, name), c.getPid());
        return c;
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
