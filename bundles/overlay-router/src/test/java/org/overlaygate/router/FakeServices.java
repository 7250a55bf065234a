package org.overlaygate.router;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.HostLinkHandler;
import org.overlaygate.api.datapath.OverlayDevice;

/** An in-memory ConfigurationAdmin (factory configurations only) and a data path of named overlays whose attached ports are {@link FakePort}s. */
final class FakeServices {
    private FakeServices() {
    }

    static final class Store {
        final Map<String, Hashtable<String, Object>> configs = new LinkedHashMap<>();
        final Map<String, String> factory = new LinkedHashMap<>();
        int next;
        boolean failWrites;

        ConfigurationAdmin admin() {
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                    (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "createFactoryConfiguration": {
                                String pid = args[0] + "~" + (next++);
                                factory.put(pid, (String) args[0]);
                                return configuration(pid);
                            }
                            case "listConfigurations": {
                                List<Configuration> out = new ArrayList<>();
                                for (String pid : configs.keySet()) {
                                    if (((String) args[0]).contains(factory.get(pid))) {
                                        out.add(configuration(pid));
                                    }
                                }
                                return out.isEmpty() ? null : out.toArray(new Configuration[0]);
                            }
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }

        private Configuration configuration(String pid) {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                    (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "getPid":
                                return pid;
                            case "getFactoryPid":
                                return factory.get(pid);
                            case "getProperties":
                                return configs.get(pid) == null ? null : new Hashtable<>(configs.get(pid));
                            case "update":
                                if (failWrites) {
                                    throw new java.io.IOException("disk full");
                                }
                                @SuppressWarnings("unchecked")
                                Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                                Hashtable<String, Object> copy = new Hashtable<>();
                                for (java.util.Enumeration<String> k = d.keys(); k.hasMoreElements();) {
                                    String key = k.nextElement();
                                    copy.put(key, d.get(key));
                                }
                                configs.put(pid, copy);
                                return null;
                            case "delete":
                                configs.remove(pid);
                                return null;
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }
    }

    /** Overlays by name, each with an MTU; the ports attached to them. */
    static final class Overlays {
        final Map<String, OverlayDevice> devices = new LinkedHashMap<>();
        final Map<String, FakePort> attached = new LinkedHashMap<>();
        /** Host links opened, by interface name; an interface named here is refused. */
        final Map<String, FakeLink> links = new LinkedHashMap<>();
        final Map<String, String> refusedLinks = new LinkedHashMap<>();

        void add(String name, int mtu) {
            OverlayDevice device = (OverlayDevice) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {OverlayDevice.class}, (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "name":
                                return name;
                            case "mtu":
                                return mtu;
                            case "attachPort": {
                                if (attached.containsKey(args[0])) {
                                    throw new DataPathException("port " + args[0] + " exists");
                                }
                                FakePort p = new FakePort(name, (Long) args[1], mtu) {
                                    @Override
                                    public OverlayDevice overlay() {
                                        return (OverlayDevice) proxy;
                                    }

                                    @Override
                                    public void close() {
                                        attached.remove(args[0]);
                                    }
                                };
                                attached.put((String) args[0], p);
                                return p;
                            }
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
            devices.put(name, device);
        }

        DataPath dataPath() {
            return (DataPath) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataPath.class}, (proxy, m, args) -> {
                switch (m.getName()) {
                    case "device":
                        return Optional.ofNullable(devices.get(args[0]));
                    case "devices":
                        return new ArrayList<>(devices.values());
                    case "openHostLink": {
                        String name = (String) args[0];
                        if (refusedLinks.containsKey(name)) {
                            throw new DataPathException(refusedLinks.get(name));
                        }
                        FakeLink open = links.get(name);
                        if (open != null && !open.closed) {
                            throw new DataPathException(name + " is in use by another host link");
                        }
                        FakeLink link = new FakeLink(name, (Integer) args[1], (HostLinkHandler) args[2]);
                        links.put(name, link);
                        return link;
                    }
                    default:
                        throw new UnsupportedOperationException(m.getName());
                }
            });
        }
    }
}
