package org.overlaygate.console;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console opens on the Overlays page (the web console's own default is its bundle list): the
 * console's configuration (PID {@value #PID}) gets {@code default.render=overlays} when it names
 * no start page. An operator's own choice, made on the console's configuration page, is kept.
 */
@Component(immediate = true)
public final class StartPage {
    private static final Logger LOG = LoggerFactory.getLogger(StartPage.class);
    static final String PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    static final String PROPERTY = "default.render";

    @Reference
    private ConfigurationAdmin configurationAdmin;

    @Activate
    void activate() {
        try {
            Configuration c = configurationAdmin.getConfiguration(PID, "?");
            Dictionary<String, Object> props = c.getProperties();
            if (props != null && props.get(PROPERTY) != null) {
                return;
            }
            Dictionary<String, Object> updated = props == null ? new Hashtable<>() : props;
            updated.put(PROPERTY, OverlaysPage.LABEL);
            c.update(updated);
        } catch (IOException | RuntimeException e) {
            LOG.warn("the web console keeps its own start page: {}", e.toString());
        }
    }
}
