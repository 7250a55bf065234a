package org.overlaygate.router;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Router definitions kept durably through ConfigAdmin, one factory configuration each, created
 * with location "?" so that they outlive this bundle's jar being replaced or removed.
 */
final class RouterStore {
    private static final Logger LOG = LoggerFactory.getLogger(RouterStore.class);

    private final ConfigurationAdmin configAdmin;

    RouterStore(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    /** Every stored router; a damaged one is logged and skipped. */
    List<RouterDefinition> load() throws IOException {
        List<RouterDefinition> out = new ArrayList<>();
        for (Configuration c : list()) {
            try {
                out.add(RouterDefinition.fromDictionary(c.getProperties()));
            } catch (RuntimeException e) {
                LOG.error("ignoring damaged router definition {}: {}", c.getPid(), e.getMessage());
            }
        }
        return out;
    }

    void save(RouterDefinition d) throws IOException {
        Configuration c = find(d.name);
        if (c == null) {
            c = configAdmin.createFactoryConfiguration(RouterDefinition.FACTORY_PID, "?");
        }
        c.update(d.toDictionary());
    }

    void delete(String name) throws IOException {
        Configuration c = find(name);
        if (c != null) {
            c.delete();
        }
    }

    private Configuration find(String name) throws IOException {
        for (Configuration c : list()) {
            if (name.equals(c.getProperties().get(RouterDefinition.NAME))) {
                return c;
            }
        }
        return null;
    }

    private List<Configuration> list() throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.factoryPid=" + RouterDefinition.FACTORY_PID + ")");
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
