package org.overlaygate.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * docs/glossary.md explains every drop reason and event that overlay:stats counts, and nothing
 * else. The names come from the code: the constants of the classes that count them (read by
 * reflection: this module has every bundle on its class path) and the literal reasons passed to
 * drop() or count() anywhere in the bundles' sources. A class that declares DROP_ constants must be
 * listed below, so a new plugin's reasons cannot go unexplained.
 */
public class GlossaryTest {
    /**
     * Classes (or every class of a package, "PACKAGE.*") whose String constants named by the
     * pattern, with snake_case values, are counted by overlay:stats.
     */
    private static final Map<String, String> COUNTED = new LinkedHashMap<>();

    static {
        COUNTED.put("org.overlaygate.core.base.DropReasons", ".*");
        // every class of the package: its string constants are all event names
        COUNTED.put("org.overlaygate.core.device.*", ".*");
        COUNTED.put("org.overlaygate.core.underlay.BaseMux", "RECEIVE_ERROR");
        COUNTED.put("org.overlaygate.core.underlay.IpMux", "MALFORMED_IP");
        COUNTED.put("org.overlaygate.core.vnic.TcpSegmenter", ".*_GSO");
        COUNTED.put("org.overlaygate.core.vnic.PortVnic", "READ_ERROR");
        COUNTED.put("org.overlaygate.encap.vxlan.VxlanCodec", "DROP_.*");
        COUNTED.put("org.overlaygate.encap.nvgre.NvgreCodec", "DROP_.*");
        COUNTED.put("org.overlaygate.encap.geneve.GeneveDecapsulator", "DROP_.*");
        COUNTED.put("org.overlaygate.search.files.FilesSearch", "NOT_IN_FILE|NO_MAPPING|MAPPED_HERE");
        COUNTED.put("org.overlaygate.search.katar.KatarSearch", "NOT_FOUND|MAPPED_HERE|STALE_AFTER_INVALIDATION");
        COUNTED.put("org.overlaygate.varpd.overlay.AddressProxy", "MALFORMED|NOT_PROXIED|UNKNOWN|NO_INSTANCE");
        COUNTED.put("org.overlaygate.varpd.dhcp.DhcpEvents", ".*");
        COUNTED.put("org.overlaygate.invalidation.shootdown.Shootdown", "SENT|UNSENT|SUPPRESSED|APPLIED|RATE_LIMITED|UNKNOWN_SENDER|OPERATOR_ENTRY|PENDING|NOT_CACHED");
        COUNTED.put("org.overlaygate.invalidation.shootdown.ShootdownSocket", "MALFORMED|BAD_CRC|UNKNOWN_VNET");
        COUNTED.put("org.overlaygate.router.RouterCounters", ".*");
    }

    /** Bundles whose counters are not overlay:stats' (the katar server's are katar:show stats, in katar-protocol.md). */
    private static final Set<String> OTHER_COUNTERS = Set.of("katar-server");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern LITERAL = Pattern.compile("\\.(?:drop|count|countEvent|increment)\\(\"([a-z][a-z0-9_]*)\"");
    private static final Pattern DROP_CONSTANT = Pattern.compile("static final String DROP_[A-Z0-9_]+ = \"");

    private static Path repo() {
        return Paths.get("").toAbsolutePath().getParent();
    }

    /** The names the glossary explains: the first cell of each table row, in backquotes. */
    private static Set<String> glossary() throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z][a-z0-9_]*)` \\|").matcher(Files.readString(repo().resolve("docs/glossary.md")));
        while (m.find()) {
            assertTrue("explained twice: " + m.group(1), names.add(m.group(1)));
        }
        return names;
    }

    private static List<Path> sources() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> modules = Files.list(repo().resolve("bundles"))) {
            for (Path module : modules.filter(m -> !OTHER_COUNTERS.contains(m.getFileName().toString())).toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> all = Files.walk(main)) {
                        all.filter(f -> f.toString().endsWith(".java")).forEach(files::add);
                    }
                }
            }
        }
        return files;
    }

    /** Every name the code counts, with where it comes from. */
    private static Map<String, String> counted() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : COUNTED.entrySet()) {
            int found = 0;
            for (String className : classesOf(c.getKey())) {
                Class<?> holder;
                try {
                    holder = Class.forName(className, false, GlossaryTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(className + " is gone: say in GlossaryTest.COUNTED where its counter names went");
                }
                for (Field f : holder.getDeclaredFields()) {
                    if (f.getType() == String.class && Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())
                            && f.getName().matches(c.getValue())) {
                        f.setAccessible(true);
                        String value = (String) f.get(null);
                        if (NAME.matcher(value).matches()) {
                            names.put(value, holder.getSimpleName() + "." + f.getName());
                            found++;
                        }
                    }
                }
            }
            assertTrue(c.getKey() + " declares no counter named " + c.getValue(), found > 0);
        }
        for (Path source : sources()) {
            for (String line : Files.readAllLines(source)) {
                String code = line.trim();
                if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                    continue;
                }
                Matcher m = LITERAL.matcher(code);
                while (m.find()) {
                    names.putIfAbsent(m.group(1), repo().relativize(source).toString());
                }
            }
        }
        return names;
    }

    /** The class named, or the top-level classes of a package "PACKAGE.*" (from the bundles' sources). */
    private static List<String> classesOf(String key) throws Exception {
        if (!key.endsWith(".*")) {
            return List.of(key);
        }
        String pkg = key.substring(0, key.length() - 2);
        List<String> classes = new ArrayList<>();
        for (Path source : sources()) {
            String cls = className(source);
            if (cls.startsWith(pkg + ".") && cls.indexOf('.', pkg.length() + 1) < 0 && !cls.endsWith("package-info")) {
                classes.add(cls);
            }
        }
        assertTrue("no sources of package " + pkg, !classes.isEmpty());
        return classes;
    }

    private static String className(Path source) {
        return repo().relativize(source).toString().replaceFirst("^bundles/[^/]+/src/main/java/", "").replace(".java", "").replace('/', '.');
    }

    private static boolean listed(String cls) {
        return COUNTED.containsKey(cls) || COUNTED.containsKey(cls.substring(0, cls.lastIndexOf('.')) + ".*");
    }

    @Test
    public void everyCountedNameIsExplained() throws Exception {
        Set<String> glossary = glossary();
        List<String> missing = new ArrayList<>();
        counted().forEach((name, where) -> {
            if (!glossary.contains(name)) {
                missing.add(name + " (" + where + ")");
            }
        });
        assertEquals("counted but not explained in docs/glossary.md", List.of(), missing);
    }

    @Test
    public void theGlossaryExplainsOnlyWhatIsCounted() throws Exception {
        Set<String> stale = new TreeSet<>(glossary());
        stale.removeAll(counted().keySet());
        assertEquals("explained in docs/glossary.md but counted nowhere", Set.of(), stale);
    }

    @Test
    public void everyClassWithDropReasonsIsListed() throws Exception {
        for (Path source : sources()) {
            if (DROP_CONSTANT.matcher(Files.readString(source)).find()) {
                String cls = className(source);
                if (!listed(cls)) {
                    fail(cls + " declares DROP_ reasons: list it in GlossaryTest.COUNTED and explain them in docs/glossary.md");
                }
            }
        }
    }

    @Test
    public void overlayStatsHelpPointsToTheGlossary() throws Exception {
        Field help = Class.forName("org.overlaygate.varpd.shell.OverlayCommands").getDeclaredField("STATS_HELP");
        help.setAccessible(true);
        assertTrue((String) help.get(null), ((String) help.get(null)).contains("docs/glossary.md"));
    }
}
