package org.overlaygate.router;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/** Registers the {@code router:} commands ({@link RouterCommands}) as Gogo functions while the manager is there. */
@Component(service = {})
public final class RouterShell {
    @Reference
    private RouterManager manager;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context) {
        for (Map.Entry<String, Function> c : new RouterCommands(manager).functions().entrySet()) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("osgi.command.scope", "router");
            props.put("osgi.command.function", new String[] {c.getKey()});
            registrations.add(context.registerService(Function.class, c.getValue(), props));
        }
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        registrations.clear();
    }
}
