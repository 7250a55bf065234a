package org.overlaygate.varpd.plugins;

import java.util.List;
import java.util.Optional;

import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.search.SearchPlugin;

/** The plugins present right now, by kind and name: what overlays are checked against and bound to. */
public interface PluginLookup {

    Optional<EncapsulationPlugin> encap(String name);

    Optional<SearchPlugin> search(String name);

    Optional<InvalidationPlugin> invalidation(String name);

    /** The names of the plugins of one kind ({@link PluginInfo#ENCAP} ...), sorted, for error messages. */
    List<String> names(String kind);
}
