package org.overlaygate.admin;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.threadio.ThreadIO;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin socket in the appliance: an {@link AdminServer} on the configured path whose requests
 * a {@link CommandRunner} runs, allowed by a {@link CommandPolicy} that asks this framework which
 * bundle registered each command.
 */
@Component(immediate = true)
public final class AdminSocketServer {
    private static final Logger LOG = LoggerFactory.getLogger(AdminSocketServer.class);

    /** Framework property naming the socket path. */
    static final String SOCKET_PROPERTY = "overlaygate.admin.socket";
    /** Framework property naming the distribution directory; the default socket lives under it. */
    static final String HOME_PROPERTY = "overlaygate.home";

    @Reference
    private CommandProcessor processor;

    @Reference
    private ThreadIO threadIO;

    /**
     * The appliance is ready (bundle appliance): every command registered, every stored overlay
     * restored. Only then is the socket bound, so whoever finds it finds every command there.
     */
    @Reference(target = "(" + Condition.CONDITION_ID + "=overlaygate.ready)")
    private Condition ready;

    private AdminServer server;

    @Activate
    void activate(BundleContext context) throws IOException {
        Path path = socketPath(context.getProperty(SOCKET_PROPERTY), context.getProperty(HOME_PROPERTY));
        CommandRunner runner = new CommandRunner(processor, threadIO, new CommandPolicy(new FrameworkCatalog(context)));
        server = AdminServer.start(path, AdminServer.Limits.defaults(), runner);
        LOG.info("admin socket listening on {}", path);
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
        LOG.info("admin socket {} closed", server.path());
    }

    static Path socketPath(String configured, String home) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath();
        }
        return Paths.get(home == null ? "." : home, "run", "overlayadm.sock").toAbsolutePath();
    }

    /** The commands and bundles of this framework, read afresh for every request. */
    static final class FrameworkCatalog implements CommandPolicy.Catalog {
        private final BundleContext context;

        FrameworkCatalog(BundleContext context) {
            this.context = context;
        }

        @Override
        public Map<String, Set<String>> commands() {
            ServiceReference<?>[] refs;
            try {
                refs = context.getAllServiceReferences(null,
                        "(&(" + CommandProcessor.COMMAND_SCOPE + "=*)(" + CommandProcessor.COMMAND_FUNCTION + "=*))");
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            Map<String, Set<String>> out = new HashMap<>();
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                Bundle owner = ref.getBundle();
                if (owner == null) {
                    continue; // unregistered meanwhile
                }
                String scope = String.valueOf(ref.getProperty(CommandProcessor.COMMAND_SCOPE));
                for (String function : strings(ref.getProperty(CommandProcessor.COMMAND_FUNCTION))) {
                    out.computeIfAbsent((scope + ":" + function).toLowerCase(Locale.ROOT), k -> new HashSet<>())
                            .add(String.valueOf(owner.getSymbolicName()));
                }
            }
            return out;
        }

        private static List<String> strings(Object value) {
            if (value instanceof String[]) {
                return List.of((String[]) value);
            }
            if (value instanceof Collection) {
                return ((Collection<?>) value).stream().map(String::valueOf).toList();
            }
            return List.of(String.valueOf(value));
        }

        @Override
        public String bundle(long id) {
            Bundle b = context.getBundle(id);
            return b == null ? null : String.valueOf(b.getSymbolicName());
        }

        @Override
        public long self() {
            return context.getBundle().getBundleId();
        }
    }
}
