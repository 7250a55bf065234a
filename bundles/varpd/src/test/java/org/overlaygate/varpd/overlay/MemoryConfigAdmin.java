package org.overlaygate.varpd.overlay;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** ConfigurationAdmin in memory: enough for the definition store (factory configurations, filters, update, delete). */
final class MemoryConfigAdmin implements ConfigurationAdmin {
    final Map<String, Config> configs = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    /** How many times a listing was asked for: the store should not need one per save. */
    final AtomicInteger listings = new AtomicInteger();

    @Override
    public Configuration createFactoryConfiguration(String factoryPid) {
        return createFactoryConfiguration(factoryPid, null);
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid, String location) {
        Config c = new Config(factoryPid + "." + next.incrementAndGet(), factoryPid);
        configs.put(c.pid, c);
        return c;
    }

    @Override
    public Configuration getConfiguration(String pid, String location) {
        return configs.computeIfAbsent(pid, p -> new Config(p, null));
    }

    @Override
    public Configuration getConfiguration(String pid) {
        return getConfiguration(pid, null);
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration[] listConfigurations(String filter) throws InvalidSyntaxException {
        listings.incrementAndGet();
        Filter f = filter == null ? null : FrameworkUtil.createFilter(filter);
        List<Configuration> out = new ArrayList<>();
        for (Config c : configs.values()) {
            Dictionary<String, Object> p = c.getProperties();
            if (p != null) {
                Hashtable<String, Object> withIds = new Hashtable<>();
                for (Enumeration<String> k = p.keys(); k.hasMoreElements();) {
                    String key = k.nextElement();
                    withIds.put(key, p.get(key));
                }
                if (c.factoryPid != null) {
                    withIds.put("service.factoryPid", c.factoryPid);
                }
                withIds.put("service.pid", c.pid);
                if (f == null || f.match(withIds)) {
                    out.add(c);
                }
            }
        }
        return out.isEmpty() ? null : out.toArray(new Configuration[0]);
    }

    final class Config implements Configuration {
        final String pid;
        final String factoryPid;
        private volatile Hashtable<String, Object> properties;

        Config(String pid, String factoryPid) {
            this.pid = pid;
            this.factoryPid = factoryPid;
        }

        @Override
        public String getPid() {
            return pid;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return properties == null ? null : new Hashtable<>(properties);
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(org.osgi.framework.ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update(Dictionary<String, ?> props) {
            Hashtable<String, Object> copy = new Hashtable<>();
            for (Enumeration<String> k = props.keys(); k.hasMoreElements();) {
                String key = k.nextElement();
                copy.put(key, props.get(key));
            }
            properties = copy;
        }

        @Override
        public void delete() {
            configs.remove(pid);
        }

        @Override
        public String getFactoryPid() {
            return factoryPid;
        }

        @Override
        public void update() {
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> props) {
            update(props);
            return true;
        }

        @Override
        public void setBundleLocation(String location) {
        }

        @Override
        public String getBundleLocation() {
            return "?";
        }

        @Override
        public long getChangeCount() {
            return 0;
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attrs) {
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return EnumSet.noneOf(ConfigurationAttribute.class);
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attrs) {
        }
    }
}
