package org.overlaygate.search.files;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.Executor;

import org.osgi.service.component.annotations.Component;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;

/** Registers {@code files}: destinations and ARP/NDP answers from a watched JSON file, illumos' overlay_files(5). */
@Component(service = SearchPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + FilesSearchPlugin.NAME)
public final class FilesSearchPlugin implements SearchPlugin {
    static final String NAME = "files";
    static final String CONFIG = "files/config";

    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(CONFIG, PropertyType.STRING).required()
                    .description("absolute path of the JSON mapping file (illumos overlay_files(5)); watched, changes apply within a second")
                    .build());

    /**
     * Runs each read of a mapping file on a thread of its own, which ends with the read: a file
     * that blocks its reader blocks nothing else (not varpd's timer, not another overlay).
     */
    Executor reads = read -> {
        Thread t = new Thread(read, "og-files-read");
        t.setDaemon(true);
        t.start();
    };

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SearchMode mode() {
        return SearchMode.DYNAMIC;
    }

    @Override
    public List<PropertySpec> properties() {
        return PROPERTIES;
    }

    /**
     * @throws PropertyException when the path is not an absolute one (the appliance's working
     *     directory is nobody's business); a file that is missing or bad degrades the overlay instead
     */
    @Override
    public SearchInstance create(SearchContext context, PropertyValues values) throws PropertyException {
        String text = values.getString(CONFIG);
        Path path;
        try {
            path = Paths.get(text);
        } catch (InvalidPathException e) {
            throw new PropertyException(CONFIG + ": '" + text + "' is not a path: " + e.getReason());
        }
        if (!path.isAbsolute()) {
            throw new PropertyException(CONFIG + ": '" + text + "' is not an absolute path");
        }
        return new FilesSearch(context, path.normalize(), reads);
    }
}
