package org.overlaygate.varpd.plugins;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.shell.Args;
import org.overlaygate.api.shell.Commands;
import org.overlaygate.api.shell.TextTable;

/** {@code overlay:plugins}: every plugin, its bundle, state and properties, and every failed jar. */
@Component(service = PluginsCommand.class)
@GogoCommand(scope = "overlay", function = {"plugins"})
public final class PluginsCommand {
    @Reference
    private PluginCatalog catalog;
    @Reference
    private PluginDirectoryInspector inspector;
    private BundleContext context;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    static final String USAGE = "overlay:plugins";
    static final String HELP = "usage: " + USAGE + "\n"
            + "  every encapsulation, search and invalidation plugin (kind, name, transport or mode, bundle, version, state)\n"
            + "  with its properties (name, type, default, required, possible values), every other drop-in of plugins.d\n"
            + "  (kind extension: the router), then every jar of plugins.d that failed";

    @Descriptor("list encapsulation, search and invalidation plugins, and jars of plugins.d that failed")
    public String plugins(@Descriptor("-h for help") String... args) throws Exception {
        return Commands.run(args, HELP, () -> {
            Args.parse(args, java.util.Set.of(), java.util.Set.of(), USAGE).operands(0, 0);
            return list();
        });
    }

    private String list() {
        List<PluginInfo> plugins = catalog.list();
        Set<Long> pluginBundles = new HashSet<>();
        for (Bundle b : context.getBundles()) {
            for (PluginInfo p : plugins) {
                if (b.getSymbolicName() != null && b.getSymbolicName().equals(p.bundle) && b.getVersion().toString().equals(p.version)) {
                    pluginBundles.add(b.getBundleId());
                }
            }
        }
        List<PluginInfo> all = new ArrayList<>(plugins);
        all.addAll(inspector.inspect(pluginBundles));
        return render(all, inspector.watchedDirectories().toString());
    }

    static String render(List<PluginInfo> all, String watched) {
        if (all.isEmpty()) {
            return "no plugins (watched: " + watched + ")\n";
        }
        TextTable table = new TextTable("KIND", "NAME", "DETAIL", "BUNDLE", "VERSION", "STATE");
        for (PluginInfo p : all) {
            table.row(p.kind, p.name, p.detail, p.bundle, p.version, p.state);
        }
        StringBuilder out = new StringBuilder(table.render());
        for (PluginInfo p : all) {
            if (!p.properties.isEmpty()) {
                TextTable props = new TextTable("PROPERTY", "TYPE", "DEFAULT", "REQUIRED", "POSSIBLE", "DESCRIPTION");
                for (PropertySpec s : p.properties) {
                    props.row(s.name(), s.type().displayName(), s.defaultValue(), s.required() ? "yes" : "no", s.possibleText(),
                            s.description().isEmpty() ? null : s.description());
                }
                out.append('\n').append(p.kind).append(' ').append(p.name).append(" (").append(p.bundle).append(' ')
                        .append(p.version).append("):\n");
                props.render().lines().forEach(l -> out.append("  ").append(l).append('\n'));
            }
            if (p.reason != null) {
                out.append('\n').append(p.kind).append(' ').append(p.name).append(": ").append(p.state).append(": ")
                        .append(p.reason).append('\n');
            }
        }
        return out.toString();
    }
}
