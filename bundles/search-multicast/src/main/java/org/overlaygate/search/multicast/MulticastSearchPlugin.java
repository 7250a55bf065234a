package org.overlaygate.search.multicast;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.api.search.TargetPolicy;

/** Registers {@code multicast}: flood-and-learn over an underlay group and/or head-end replication to peers. */
@Component(service = SearchPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + MulticastSearchPlugin.NAME)
public final class MulticastSearchPlugin implements SearchPlugin {
    static final String NAME = "multicast";
    static final String GROUP = "multicast/group";
    static final String PEERS = "multicast/peers";
    static final String INTERFACE = "multicast/interface";
    static final String TTL = "multicast/ttl";
    static final String AGEING = "multicast/ageing";
    static final String MAX_ENTRIES = "multicast/max_entries";

    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(GROUP, PropertyType.IP)
                    .description("underlay multicast group for broadcast, multicast and unknown unicast (this or peers is required)").build(),
            PropertySpec.builder(PEERS, PropertyType.STRING)
                    .description("comma-separated unicast underlay addresses to replicate them to instead of, or besides, a group").build(),
            PropertySpec.builder(INTERFACE, PropertyType.STRING)
                    .description("underlay interface to join the group on (default: the one holding the listen address)").build(),
            PropertySpec.builder(TTL, PropertyType.UINT).range(1, 255).defaultValue("1")
                    .description("TTL (hop limit) of packets sent to the group").build(),
            PropertySpec.builder(AGEING, PropertyType.UINT).range(1, 1_000_000).defaultValue("300")
                    .description("seconds a learned address lives without a frame from it").build(),
            PropertySpec.builder(MAX_ENTRIES, PropertyType.UINT).range(1, 1_000_000).defaultValue("16384")
                    .description("most addresses learned at once").build());

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

    @Override
    public SearchInstance create(SearchContext context, PropertyValues values) throws PropertyException {
        InetAddress group = values.has(GROUP) ? values.getAddress(GROUP) : null;
        List<InetAddress> peers = values.has(PEERS) ? parsePeers(values.getString(PEERS)) : List.of();
        if (group == null && peers.isEmpty()) {
            throw new PropertyException("multicast needs " + GROUP + " or " + PEERS + " (or both): where else would broadcast go?");
        }
        if (group != null && !group.isMulticastAddress()) {
            throw new PropertyException(GROUP + ": " + group.getHostAddress() + " is not a multicast address");
        }
        String iface = values.has(INTERFACE) ? values.getString(INTERFACE) : null;
        if (iface != null && interfaceMissing(iface)) {
            throw new PropertyException(INTERFACE + ": no network interface " + iface);
        }
        return new MulticastSearch(context, group, peers, iface, values.getInt(TTL),
                TargetPolicy.learning(Duration.ofSeconds(values.getLong(AGEING)), values.getInt(MAX_ENTRIES)));
    }

    static List<InetAddress> parsePeers(String text) throws PropertyException {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            InetAddress a;
            try {
                a = UnderlayAddress.parseLiteral(p);
            } catch (IllegalArgumentException e) {
                throw new PropertyException(PEERS + ": " + e.getMessage());
            }
            if (a.isMulticastAddress() || a.isAnyLocalAddress()) {
                throw new PropertyException(PEERS + ": " + p + " is not a unicast address");
            }
            out.add(a);
        }
        return new ArrayList<>(out);
    }

    private static boolean interfaceMissing(String name) {
        try {
            return NetworkInterface.getByName(name) == null;
        } catch (SocketException e) {
            return true;
        }
    }
}
