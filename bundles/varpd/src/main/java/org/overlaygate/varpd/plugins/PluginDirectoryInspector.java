package org.overlaygate.varpd.plugins;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Requirement;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Explains every jar in the watched plugin directories that is not a running bundle: not a jar, not
 * a bundle, imports that nothing exports, installed but not started, or not yet picked up.
 * FileInstall itself logs these failures; this makes them visible in {@code overlay:plugins}.
 */
@Component(service = PluginDirectoryInspector.class)
public final class PluginDirectoryInspector {
    /** The FileInstall property naming the watched directories (comma separated). */
    static final String WATCHED_DIRS = "felix.fileinstall.dir";

    private static final Pattern PACKAGE_FILTER = Pattern.compile(
            "\\(&\\(osgi\\.wiring\\.package=([^)]+)\\)\\(version>=([^)]+)\\)\\(!\\(version>=([^)]+)\\)\\)\\)");
    private static final Pattern PACKAGE_NAME = Pattern.compile("osgi\\.wiring\\.package=([^)]+)");

    private BundleContext context;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    /** The watched directories, as configured for FileInstall; empty when none is. */
    public List<Path> watchedDirectories() {
        String dirs = context.getProperty(WATCHED_DIRS);
        List<Path> out = new ArrayList<>();
        if (dirs != null) {
            for (String d : dirs.split(",")) {
                if (!d.isBlank()) {
                    out.add(Paths.get(d.trim()).toAbsolutePath().normalize());
                }
            }
        }
        return out;
    }

    /**
     * One {@link PluginInfo} of kind {@code file} per jar that is not an active bundle, plus one per
     * active bundle that registered no service at all; one of kind {@code extension} per active
     * bundle that offers services but no plugin service (the router).
     *
     * @param pluginBundles ids of the bundles that registered plugin services
     */
    public List<PluginInfo> inspect(Set<Long> pluginBundles) {
        Map<Path, Bundle> byPath = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            Path p = pathOf(b.getLocation());
            if (p != null) {
                byPath.put(p, b);
            }
        }
        List<PluginInfo> out = new ArrayList<>();
        for (Path dir : watchedDirectories()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
                files.forEach(jars::add);
            } catch (IOException e) {
                out.add(fileInfo(dir.getFileName().toString(), null, "FAILED", "cannot list directory: " + e.getMessage()));
                continue;
            }
            jars.sort(null);
            for (Path jar : jars) {
                PluginInfo info = inspect(jar.toAbsolutePath().normalize(), byPath, pluginBundles);
                if (info != null) {
                    out.add(info);
                }
            }
        }
        return out;
    }

    private PluginInfo inspect(Path jar, Map<Path, Bundle> byPath, Set<Long> pluginBundles) {
        String file = jar.getFileName().toString();
        String notABundle = JarCheck.whyNotABundle(jar);
        if (notABundle != null) {
            return fileInfo(file, null, "FAILED", notABundle);
        }
        Bundle bundle = byPath.get(jar);
        if (bundle == null) {
            return fileInfo(file, null, "PENDING", "not installed yet (or installing failed: see the log)");
        }
        int state = bundle.getState();
        if (state == Bundle.INSTALLED) {
            return fileInfo(file, bundle, "FAILED", "unresolved: " + unresolvedReason(bundle));
        }
        if (state != Bundle.ACTIVE && state != Bundle.STARTING) {
            boolean fragment = bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            return fragment ? null : fileInfo(file, bundle, "FAILED", "resolved but not started (see the log)");
        }
        if (!pluginBundles.contains(bundle.getBundleId())) {
            // A drop-in that is no encapsulation, search or invalidation plugin but offers services of
            // its own (the router: commands, gateway addresses) is working as meant; one that offers
            // nothing at all is a plugin whose component did not come up.
            ServiceReference<?>[] offered = bundle.getRegisteredServices();
            if (state == Bundle.ACTIVE && offered != null && offered.length > 0) {
                return new PluginInfo(PluginInfo.EXTENSION, file, "--", bundle.getSymbolicName(), bundle.getVersion().toString(),
                        BundleStates.name(state), null, List.of());
            }
            return fileInfo(file, bundle, BundleStates.name(state), "no plugin service registered");
        }
        return null;
    }

    private PluginInfo fileInfo(String file, Bundle bundle, String state, String reason) {
        return new PluginInfo(PluginInfo.FILE, file, "--", bundle == null ? "--" : bundle.getSymbolicName(),
                bundle == null ? "--" : bundle.getVersion().toString(), state, reason, List.of());
    }

    /** The mandatory requirements of an unresolved bundle that nothing in the framework provides. */
    String unresolvedReason(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        if (revision == null || wiring == null) {
            return "see the log";
        }
        List<String> missing = new ArrayList<>();
        for (Requirement req : revision.getRequirements(null)) {
            Map<String, String> directives = req.getDirectives();
            if ("optional".equals(directives.get(Constants.RESOLUTION_DIRECTIVE))) {
                continue;
            }
            String effective = directives.get(Constants.EFFECTIVE_DIRECTIVE);
            if (effective != null && !Constants.EFFECTIVE_RESOLVE.equals(effective)) {
                continue;
            }
            if (wiring.findProviders(req).isEmpty()) {
                missing.add(describe(req));
            }
        }
        return missing.isEmpty() ? "every requirement has a provider; see the log for the resolver's reason"
                : "missing " + String.join(", ", missing);
    }

    static String describe(Requirement req) {
        String filter = req.getDirectives().getOrDefault(Constants.FILTER_DIRECTIVE, "");
        if (PackageNamespace.PACKAGE_NAMESPACE.equals(req.getNamespace())) {
            Matcher m = PACKAGE_FILTER.matcher(filter);
            if (m.matches()) {
                return "package " + m.group(1) + " [" + m.group(2) + "," + m.group(3) + ")";
            }
            Matcher name = PACKAGE_NAME.matcher(filter);
            if (name.find()) {
                return "package " + name.group(1);
            }
        }
        return req.getNamespace() + " " + filter;
    }

    private static Path pathOf(String location) {
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            return Paths.get(URI.create(location)).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
