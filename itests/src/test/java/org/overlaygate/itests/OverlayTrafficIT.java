package org.overlaygate.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;

/**
 * Traffic through the real bundles in Felix: two overlays in one appliance joined over loopback
 * UDP with in-memory VNICs, created with the shell commands; exact frames both ways, broadcast,
 * counters; the configuration coming back after the bundles restart; and cached traffic flowing
 * while varpd and the search plugin are away.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class OverlayTrafficIT {
    private static final long MAC_A = 0x020000000001L;
    private static final long MAC_B = 0x020000000002L;

    @Inject
    private BundleContext context;
    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() throws Exception {
        return options(ExamOptions.base(Files.createTempDirectory("og-plugins.d")), ExamOptions.dataPath(),
                ExamOptions.reactorBundle("encap-vxlan"), ExamOptions.reactorBundle("search-direct"),
                frameworkProperty("felix.cm.dir").value(Files.createTempDirectory("og-config").toString()));
    }

    /** Pax Exam evaluates the configuration once per class, so methods share the ConfigAdmin store: start each empty. */
    @Before
    public void deleteEverything() throws Exception {
        Shell shell = new Shell(processor);
        shell.await("overlay:show", o -> !o.toLowerCase(java.util.Locale.ROOT).contains("command not found"), 10_000, "varpd commands");
        for (String vnic : shell.run("vnic:show -p -o link").lines().filter(l -> !l.isBlank()).toArray(String[]::new)) {
            shell.run("vnic:delete " + vnic);
        }
        for (String overlay : shell.run("overlay:show -f -p -o link").lines().filter(l -> !l.isBlank()).toArray(String[]::new)) {
            shell.run("overlay:delete " + overlay);
        }
    }

    private static int freePort() throws Exception {
        try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    /** ovla on 127.0.0.1 and ovlb on 127.0.0.2, direct to each other, one memory VNIC each. */
    private void createPair(Shell shell, String search) throws Exception {
        int pa = freePort();
        int pb = freePort();
        String common = " -e vxlan -s " + search + " -v 4242 ";
        String destA = search.equals("direct") ? " -p direct/dest_ip=127.0.0.2 -p direct/dest_port=" + pb : "";
        String destB = search.equals("direct") ? " -p direct/dest_ip=127.0.0.1 -p direct/dest_port=" + pa : "";
        shell.await("overlay:plugins", o -> o.contains("vxlan") && o.contains(search), 10_000, "plugins present");
        String out = shell.run("overlay:create" + common + "-p vxlan/listen_ip=127.0.0.1 -p vxlan/listen_port=" + pa + destA + " ovla");
        assertTrue(out, out.contains("overlay ovla created"));
        shell.run("overlay:create" + common + "-p vxlan/listen_ip=127.0.0.2 -p vxlan/listen_port=" + pb + destB + " ovlb");
        shell.run("vnic:create -l ovla -k memory -m " + MacAddress.format(MAC_A) + " vnica");
        shell.run("vnic:create -l ovlb -k memory -m " + MacAddress.format(MAC_B) + " vnicb");
    }

    @Test
    public void twoOverlaysOverLoopbackCarryExactFramesBothWays() throws Exception {
        Shell shell = new Shell(processor);
        createPair(shell, "direct");
        DataPath dp = Traffic.dataPath(context);
        MemoryPort a = dp.memoryPort("vnica").orElseThrow();
        MemoryPort b = dp.memoryPort("vnicb").orElseThrow();

        for (int i = 0; i < 100; i++) {
            byte[] ab = Traffic.frame(MAC_B, MAC_A, i, 64 + i * 13);
            a.send(ByteBuffer.wrap(ab));
            assertArrayEquals("frame " + i + " a->b", ab, b.receive(5, TimeUnit.SECONDS));
            byte[] ba = Traffic.frame(MAC_A, MAC_B, i, 1386 - i);
            b.send(ByteBuffer.wrap(ba));
            assertArrayEquals("frame " + i + " b->a", ba, a.receive(5, TimeUnit.SECONDS));
        }
        byte[] bcast = Traffic.frame(MacAddress.BROADCAST, MAC_A, 0, 28);
        a.send(ByteBuffer.wrap(bcast));
        assertArrayEquals(bcast, b.receive(5, TimeUnit.SECONDS));
        byte[] tooBig = Traffic.frame(MAC_B, MAC_A, 0, 1400 + 5);
        a.send(ByteBuffer.wrap(tooBig));
        assertNull(b.receive(200, TimeUnit.MILLISECONDS));

        DeviceStats sa = dp.device("ovla").orElseThrow().stats();
        assertEquals(101, sa.counters().packetsOut());
        assertEquals(100, sa.counters().packetsIn());
        assertEquals(102, sa.vnics().get(0).packetsIn());
        assertEquals(1L, (long) sa.vnics().get(0).drops().get("too_big"));
        String stats = shell.run("overlay:stats");
        assertTrue(stats, stats.lines().anyMatch(l -> l.matches("ovla\\s+100\\s+\\d+\\s+101\\s+.*")));
        assertTrue(stats, stats.lines().anyMatch(l -> l.matches("vnica\\s+too_big\\s+1")));
        String show = shell.run("overlay:show -t ovla");
        assertTrue(show, show.lines().anyMatch(l -> l.matches("ovla\\s+\\*\\s+valid\\s+plugin\\s+--\\s+127\\.0\\.0\\.2:\\d+")));
    }

    @Test
    public void configurationComesBackWhenTheBundlesRestart() throws Exception {
        Shell shell = new Shell(processor);
        createPair(shell, "direct");
        String overlays = shell.run("overlay:show -p -o link,property,value");
        String vnics = shell.run("vnic:show -p -o link,over,kind,macaddress,mtu");
        List<Bundle> restart = Arrays.asList(bundle("org.apache.felix.configadmin"), bundle("org.overlaygate.overlay.core"),
                bundle("org.overlaygate.varpd"));
        for (Bundle b : restart) {
            b.stop();
        }
        for (Bundle b : restart) {
            b.start();
        }
        shell.await("overlay:show -p -o link,property,value", overlays::equals, 10_000, "the same overlays");
        assertEquals(vnics, shell.await("vnic:show -p -o link,over,kind,macaddress,mtu", o -> o.contains("vnicb"), 10_000, "VNICs back"));
        assertEquals("ovla:ONLINE\novlb:ONLINE\n", shell.run("overlay:show -f -p -o link,status"));
        DataPath dp = Traffic.dataPath(context);
        byte[] f = Traffic.frame(MAC_B, MAC_A, 1, 100);
        dp.memoryPort("vnica").orElseThrow().send(ByteBuffer.wrap(f));
        assertArrayEquals(f, dp.memoryPort("vnicb").orElseThrow().receive(5, TimeUnit.SECONDS));
    }

    @Test
    public void cachedTrafficFlowsWhileVarpdAndTheSearchPluginAreAway() throws Exception {
        Shell shell = new Shell(processor);
        createPair(shell, "direct");
        DataPath dp = Traffic.dataPath(context);
        MemoryPort a = dp.memoryPort("vnica").orElseThrow();
        MemoryPort b = dp.memoryPort("vnicb").orElseThrow();
        Bundle varpd = bundle("org.overlaygate.varpd");
        Bundle direct = bundle("org.overlaygate.search.direct");
        varpd.stop();
        direct.stop();
        for (int i = 0; i < 50; i++) {
            byte[] f = Traffic.frame(MAC_B, MAC_A, i, 200);
            a.send(ByteBuffer.wrap(f));
            assertArrayEquals("varpd and direct stopped, frame " + i, f, b.receive(5, TimeUnit.SECONDS));
        }
        varpd.start();
        shell.await("overlay:show -f -p -o link,status", o -> o.equals("ovla:DEGRADED\novlb:DEGRADED\n"), 10_000, "degraded without direct");
        String why = shell.run("overlay:show -f ovla");
        assertTrue(why, why.contains("search plugin direct is not installed"));
        byte[] f = Traffic.frame(MAC_B, MAC_A, 7, 300);
        a.send(ByteBuffer.wrap(f));
        assertArrayEquals("varpd back, plugin still away", f, b.receive(5, TimeUnit.SECONDS));
        direct.start();
        shell.await("overlay:show -f -p -o link,status", o -> o.equals("ovla:ONLINE\novlb:ONLINE\n"), 10_000, "healed");
    }

    @Test
    public void dynamicMissesAreAnsweredQueuedWhileLookupIsAwayAndAnsweredWhenItReturns() throws Exception {
        Map<Long, UnderlayAddress> table = new ConcurrentHashMap<>();
        ServiceRegistration<SearchPlugin> reg = registerTableSearch(table);
        Shell shell = new Shell(processor);
        createPair(shell, "table");
        DataPath dp = Traffic.dataPath(context);
        MemoryPort a = dp.memoryPort("vnica").orElseThrow();
        MemoryPort b = dp.memoryPort("vnicb").orElseThrow();
        UnderlayAddress ovlb = dp.device("ovlb").orElseThrow().listenAddress();
        UnderlayAddress ovla = dp.device("ovla").orElseThrow().listenAddress();
        table.put(MAC_B, ovlb);
        table.put(MAC_A, ovla);

        byte[] first = Traffic.frame(MAC_B, MAC_A, 1, 100);
        a.send(ByteBuffer.wrap(first));
        assertArrayEquals("the miss was answered and the queued frame sent", first, b.receive(5, TimeUnit.SECONDS));
        String targets = shell.run("overlay:show -t ovla");
        assertTrue(targets, targets.lines().anyMatch(l -> l.matches("ovla\\s+02:00:00:00:00:02\\s+valid\\s+table\\s+\\d+m?s\\s+"
                + java.util.regex.Pattern.quote(ovlb.toString()))));

        reg.unregister(); // lookup goes away: cached destinations keep working
        // varpd unbinds on its reconcile thread: until then a miss may still reach the departing plugin
        shell.await("overlay:show -f -p -o link,status", o -> o.equals("ovla:DEGRADED\novlb:DEGRADED\n"), 10_000,
                "varpd has let the table plugin go");
        byte[] cached = Traffic.frame(MAC_B, MAC_A, 2, 120);
        a.send(ByteBuffer.wrap(cached));
        assertArrayEquals(cached, b.receive(5, TimeUnit.SECONDS));
        byte[] reply = Traffic.frame(MAC_A, MAC_B, 3, 90);
        b.send(ByteBuffer.wrap(reply)); // ovlb has never looked MAC_A up: this waits
        assertNull(a.receive(500, TimeUnit.MILLISECONDS));
        assertTrue(shell.run("overlay:show -t ovlb"), shell.run("overlay:show -t ovlb").contains("1 frames waiting"));

        registerTableSearch(table); // lookup returns: the waiting frame is delivered
        assertArrayEquals(reply, a.receive(10, TimeUnit.SECONDS));
        assertEquals(0, dp.device("ovlb").orElseThrow().stats().pendingFrames());
    }

    @Test
    public void badInputIsAOneLineErrorAndLeavesNothingBehind() throws Exception {
        Shell shell = new Shell(processor);
        shell.await("overlay:plugins", o -> o.contains("vxlan") && o.contains("direct"), 10_000, "plugins present");
        int port = freePort();
        String[][] cases = {
            {"overlay:create -e vxlan -s direct -v 1 ovlx", "missing required properties: vxlan/listen_ip, direct/dest_ip, direct/dest_port"},
            {"overlay:create -e geneve -s direct -v 1 ovlx", "unknown encapsulation plugin 'geneve' (installed: vxlan)"},
            {"overlay:create -e vxlan -s nope -v 1 ovlx", "unknown search plugin 'nope' (installed: direct)"},
            {"overlay:create -e vxlan -s direct -v 1 -p vxlan/listen_ip=127.0.0.1 -p direct/dest_ip=x -p direct/dest_port=1 ovlx",
                "direct/dest_ip: 'x' is not an IP address"},
            {"overlay:create -e vxlan -s direct -v 1 -p vxlan/listen_ip=224.0.0.1 -p direct/dest_ip=127.0.0.2 -p direct/dest_port=1 ovlx",
                "vxlan/listen_ip: 224.0.0.1 is a multicast address; a unicast address is needed"},
            {"overlay:create -e vxlan -s direct -v 1 -p vxlan/listen_ip=0.0.0.0 -p direct/dest_ip=127.0.0.2 -p direct/dest_port=1 ovlx",
                "vxlan/listen_ip: 0.0.0.0 is the unspecified address; a unicast address is needed"},
            {"overlay:create -e vxlan -s direct -v 1 -p vxlan/listen_ip=127.0.0.1 -p direct/dest_ip=255.255.255.255 -p direct/dest_port=1 ovlx",
                "direct/dest_ip: 255.255.255.255 is the broadcast address; a unicast address is needed"},
            {"overlay:create -e vxlan -s direct -v 1 -p cache_max=9999999999 -p vxlan/listen_ip=127.0.0.1 -p direct/dest_ip=127.0.0.2"
                + " -p direct/dest_port=1 ovlx", "cache_max: 9999999999 is out of range (at most 2147483647)"},
            {"overlay:create -e vxlan -s direct -v 1 -p vxlan/listen_ip=192.0.2.77 -p vxlan/listen_port=" + port
                + " -p direct/dest_ip=127.0.0.2 -p direct/dest_port=1 ovlx", "encapsulation vxlan refused the overlay: cannot open UDP underlay"},
            {"vnic:create -l ovlx vnicx", "no overlay ovlx"},
            {"vnic:create -l ovla -m 01:02:03 vnicx", "bad MAC address '01:02:03': expected six octets like 02:08:20:aa:bb:cc"},
        };
        shell.run("overlay:create -e vxlan -s direct -v 9 -p vxlan/listen_ip=127.0.0.1 -p vxlan/listen_port=" + freePort()
                + " -p direct/dest_ip=127.0.0.2 -p direct/dest_port=1 ovla");
        for (String[] c : cases) {
            Exception e = org.junit.Assert.assertThrows(c[0], Exception.class, () -> shell.run(c[0]));
            assertTrue(c[0] + " -> " + e.getMessage(), e.getMessage().startsWith(c[1]));
            assertTrue("one line: " + e.getMessage(), !e.getMessage().contains("\n"));
        }
        Exception dup = org.junit.Assert.assertThrows(Exception.class, () -> shell.run("vnic:create -l ovla -k memory ovla"));
        assertEquals("the name ovla is already in use", dup.getMessage());
        DataPath dp = Traffic.dataPath(context);
        assertEquals("only ovla exists in the data path", List.of("ovla"), dp.devices().stream().map(d -> d.name()).collect(java.util.stream.Collectors.toList()));
        assertEquals("ovla:ONLINE\n", shell.run("overlay:show -f -p -o link,status"));
        assertTrue(dp.vnics().isEmpty());
    }

    private ServiceRegistration<SearchPlugin> registerTableSearch(Map<Long, UnderlayAddress> table) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(PluginConstants.PLUGIN_NAME, "table");
        return context.registerService(SearchPlugin.class, new TableSearch(table), props);
    }

    private Bundle bundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + bsn));
    }

    /** A DYNAMIC search plugin answering from a map, as a mapping service would. */
    static final class TableSearch implements SearchPlugin {
        private final Map<Long, UnderlayAddress> table;

        TableSearch(Map<Long, UnderlayAddress> table) {
            this.table = table;
        }

        @Override
        public String name() {
            return "table";
        }

        @Override
        public SearchMode mode() {
            return SearchMode.DYNAMIC;
        }

        @Override
        public List<PropertySpec> properties() {
            return List.of();
        }

        @Override
        public SearchInstance create(SearchContext ctx, PropertyValues values) {
            return new SearchInstance() {
                @Override
                public void start() {
                }

                @Override
                public void stop() {
                }

                @Override
                public void lookup(LookupRequest request, LookupCallback callback) {
                    UnderlayAddress d = table.get(request.destinationMac());
                    if (d != null) {
                        callback.respond(d);
                    } else {
                        callback.drop("not_found");
                    }
                }
            };
        }
    }
}
