package org.overlaygate.varpd.overlay;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.invalidation.InvalidationContext;
import org.overlaygate.api.invalidation.InvalidationInstance;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.AddressCallback;
import org.overlaygate.api.search.AddressQuery;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.varpd.plugins.PluginInfo;
import org.overlaygate.varpd.plugins.PluginLookup;

/** Plugins for varpd's tests, and the lookup that holds them. */
final class TestPlugins implements PluginLookup {
    final Map<String, EncapsulationPlugin> encaps = new ConcurrentHashMap<>();
    final Map<String, SearchPlugin> searches = new ConcurrentHashMap<>();
    final Map<String, InvalidationPlugin> invalidations = new ConcurrentHashMap<>();

    @Override
    public Optional<EncapsulationPlugin> encap(String name) {
        return Optional.ofNullable(encaps.get(name));
    }

    @Override
    public Optional<SearchPlugin> search(String name) {
        return Optional.ofNullable(searches.get(name));
    }

    @Override
    public Optional<InvalidationPlugin> invalidation(String name) {
        return Optional.ofNullable(invalidations.get(name));
    }

    @Override
    public List<String> names(String kind) {
        List<String> out = new ArrayList<>(PluginInfo.ENCAP.equals(kind) ? encaps.keySet()
                : PluginInfo.SEARCH.equals(kind) ? searches.keySet() : invalidations.keySet());
        out.sort(null);
        return out;
    }

    /** A UDP encapsulation with a listen address property, as VXLAN has. */
    static final class Udp implements EncapsulationPlugin {
        @Override
        public String name() {
            return "udp";
        }

        @Override
        public UnderlayTransport transport() {
            return UnderlayTransport.udp(4789, "udp/listen_ip", "udp/listen_port");
        }

        @Override
        public int headerLength() {
            return 8;
        }

        @Override
        public int overheadIpv4() {
            return 50;
        }

        @Override
        public int defaultMtu() {
            return 1400;
        }

        @Override
        public long minVnetId() {
            return 0;
        }

        @Override
        public long maxVnetId() {
            return 0xFFFFFF;
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of(PropertySpec.builder("udp/listen_ip", PropertyType.IP).required().build(),
                    PropertySpec.builder("udp/listen_port", PropertyType.UINT).range(1, 65535).defaultValue("4789").build());
        }

        @Override
        public Encapsulator newEncapsulator(PropertyValues values) {
            throw new UnsupportedOperationException("varpd never makes encapsulators: the data path does");
        }

        @Override
        public Decapsulator decapsulator() {
            throw new UnsupportedOperationException("varpd never decapsulates: the data path does");
        }
    }

    /**
     * A DYNAMIC search plugin answering from a table, learning when asked, proxying from an ARP
     * table, recording what happens to its instances, and able to hold its start on a latch.
     */
    static final class Table implements SearchPlugin {
        final String name;
        final Map<Long, UnderlayAddress> table = new ConcurrentHashMap<>();
        final Map<InetAddress, Long> arp = new ConcurrentHashMap<>();
        final List<Instance> instances = new CopyOnWriteArrayList<>();
        volatile TargetPolicy policy = TargetPolicy.LOOKUP_ONLY;
        volatile CountDownLatch startGate;
        volatile RuntimeException failStart;
        volatile List<UnderlayAddress> flood = List.of();
        /** A group each instance joins when it starts (null: none). */
        volatile InetAddress group;
        /** When set, lookups are not answered but kept, to be answered by the test. */
        volatile boolean hold;
        final List<LookupCallback> held = new CopyOnWriteArrayList<>();

        Table(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public SearchMode mode() {
            return SearchMode.DYNAMIC;
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of(PropertySpec.builder(name + "/tag", PropertyType.STRING).defaultValue("none").build());
        }

        @Override
        public SearchInstance create(SearchContext context, PropertyValues values) {
            Instance i = new Instance(context);
            instances.add(i);
            return i;
        }

        final class Instance implements SearchInstance {
            final SearchContext context;
            final List<String> events = new CopyOnWriteArrayList<>();
            final List<String> learned = new CopyOnWriteArrayList<>();
            volatile Map<String, String> restored;

            Instance(SearchContext context) {
                this.context = context;
            }

            @Override
            public void start() throws Exception {
                CountDownLatch gate = startGate;
                if (gate != null) {
                    gate.await();
                }
                if (failStart != null) {
                    throw failStart;
                }
                context.setFloodTargets(flood, false);
                if (group != null) {
                    context.joinGroup(group, null, 1);
                }
                events.add("start");
            }

            @Override
            public void stop() {
                events.add("stop");
            }

            @Override
            public TargetPolicy targetPolicy() {
                return policy;
            }

            @Override
            public void lookup(LookupRequest request, LookupCallback callback) {
                if (hold) {
                    held.add(callback);
                    return;
                }
                UnderlayAddress d = table.get(request.destinationMac());
                if (d != null) {
                    callback.respond(d);
                } else {
                    callback.drop("not_found");
                }
            }

            @Override
            public void learned(long mac, UnderlayAddress source) {
                learned.add(Long.toHexString(mac) + "@" + source);
                context.learnTarget(mac, UnderlayAddress.of(source.address(), context.underlayAddress().port()));
            }

            @Override
            public void invalidated(long mac) {
                events.add("invalidated " + Long.toHexString(mac));
            }

            @Override
            public boolean proxiesAddresses() {
                return !arp.isEmpty();
            }

            @Override
            public void proxyAddress(AddressQuery query, AddressCallback callback) {
                Long mac = arp.get(query.target());
                if (mac != null) {
                    callback.answer(mac);
                } else {
                    callback.unknown();
                }
            }

            @Override
            public Map<String, String> saveState() {
                return Map.of("instance", Integer.toString(instances.indexOf(this)));
            }

            @Override
            public Map<String, Long> stats() {
                return Map.of("started", (long) events.stream().filter("start"::equals).count(), "table_size", (long) table.size());
            }

            @Override
            public void restoreState(Map<String, String> state) {
                restored = state;
            }
        }
    }

    /** An invalidation plugin recording what it is asked to send, and keeping its context. */
    static final class Recorder implements InvalidationPlugin {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<InvalidationContext> contexts = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of(PropertySpec.builder("recorder/port", PropertyType.UINT).range(1, 65535).defaultValue("1339").build());
        }

        @Override
        public InvalidationInstance create(InvalidationContext context, PropertyValues values) {
            contexts.add(context);
            return new InvalidationInstance() {
                @Override
                public void start() {
                }

                @Override
                public void stop() {
                }

                @Override
                public void sendInvalidation(long vnetId, long mac, InetAddress sender) {
                    sent.add(vnetId + " " + Long.toHexString(mac) + " " + sender.getHostAddress());
                }
            };
        }
    }
}
