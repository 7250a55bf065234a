package org.overlaygate.varpd.overlay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AddressRequest;
import org.overlaygate.api.datapath.LearnedSource;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.NotHere;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Frames;
import org.overlaygate.varpd.plugins.PluginInfo;

/**
 * varpd against a data path and plugins in memory: creation and its refusals, plugins coming and
 * going, upcalls reaching the right instance without waiting for anything, and definitions
 * surviving a restart.
 */
public class OverlayManagerTest {
    private static final long MAC_A = 0x020000000001L;
    private static final long MAC_B = 0x020000000002L;
    private static final UnderlayAddress B_HOST = UnderlayAddress.parse("10.0.0.2:4789");

    private TestPlugins plugins;
    private TestPlugins.Table table;
    private FakeDataPath dataPath;
    private MemoryConfigAdmin configs;
    private OverlayManager manager;

    @Before
    public void setUp() throws Exception {
        plugins = new TestPlugins();
        plugins.encaps.put("udp", new TestPlugins.Udp());
        table = new TestPlugins.Table("table");
        plugins.searches.put("table", table);
        dataPath = new FakeDataPath();
        configs = new MemoryConfigAdmin();
        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath);
    }

    @After
    public void tearDown() {
        manager.deactivate();
    }

    private OverlayView create(String name, String invalidation, String... props) {
        Map<String, String> p = new java.util.TreeMap<>();
        p.put("udp/listen_ip", "10.0.0.1");
        for (String kv : props) {
            p.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return manager.create(name, "udp", "table", invalidation, 42, null, null, null, p);
    }

    private FakeDataPath.Device device(String name) {
        return dataPath.devices.get(name);
    }

    // ---------------------------------------------------------------- DHCP

    @Test
    public void dhcpPropertiesServeEachNetworkOnItsVlanChangeAtRunTimeAndLeasesSurviveARestart() throws Exception {
        java.nio.file.Path data = java.nio.file.Files.createTempDirectory("varpd-dhcp");
        manager.deactivate();
        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath, data);
        assertEquals("dhcp/range: 10.5.0.9 comes after 10.5.0.2", assertThrows(IllegalArgumentException.class,
                () -> create("d", null, "dhcp/subnet=10.5.0.0/24", "dhcp/range=10.5.0.9-10.5.0.2")).getMessage());
        assertTrue("nothing left of the refused overlay", manager.list().isEmpty());

        create("d", null, "dhcp/subnet=10.5.0.0/24", "dhcp/range=10.5.0.100-10.5.0.110", "dhcp/10/subnet=10.6.0.0/24");
        FakeDataPath.Device dev = device("d");
        assertEquals(java.util.Set.of("dhcp.d", "dhcp.d.10"), dev.ports.keySet());
        String shown = new org.overlaygate.varpd.shell.OverlayCommands(manager).show("-p", "-o", "property,perm,value", "d");
        assertTrue("DHCP's properties are the changeable ones:\n" + shown, shown.contains("dhcp/subnet:rw:10.5.0.0/24\n")
                && shown.contains("udp/listen_ip:r-:"));
        assertEquals(10, dev.ports.get("dhcp.d.10").vlan);
        assertEquals(-1, dev.ports.get("dhcp.d").vlan);

        FakeDataPath.Device.Port untagged = dev.ports.get("dhcp.d");
        byte[] discover = new org.overlaygate.varpd.dhcp.ClientFrames(1, MAC_A).build();
        assertTrue("taken off the wire", untagged.handler.receiveGroup(java.nio.ByteBuffer.wrap(discover), 0, discover.length, false));
        org.overlaygate.testsupport.Await.until("the offer", () -> untagged.sent.size() == 1);
        int offered = org.overlaygate.varpd.dhcp.ClientFrames.parse(untagged.sent.get(0)).yiaddr;
        org.overlaygate.varpd.dhcp.ClientFrames request = new org.overlaygate.varpd.dhcp.ClientFrames(3, MAC_A);
        request.requested = offered;
        byte[] r = request.build();
        untagged.handler.receiveGroup(java.nio.ByteBuffer.wrap(r), 0, r.length, false);
        org.overlaygate.testsupport.Await.until("the ack", () -> untagged.sent.size() == 2);
        assertEquals(5, org.overlaygate.varpd.dhcp.ClientFrames.parse(untagged.sent.get(1)).type());
        assertEquals("no dhcp/router and no router attached: no option 3", null,
                org.overlaygate.varpd.dhcp.ClientFrames.parse(untagged.sent.get(1)).options.get(3));
        manager.bindGateways((overlay, vlan) -> overlay.equals("d") && vlan == -1
                ? java.util.Optional.of((java.net.Inet4Address) org.overlaygate.testsupport.Frames.ip("10.5.0.1")) : java.util.Optional.empty());
        untagged.handler.receiveGroup(java.nio.ByteBuffer.wrap(r), 0, r.length, false);
        org.overlaygate.testsupport.Await.until("the second ack", () -> untagged.sent.size() == 3);
        assertEquals("the router attached to the overlay is the default gateway", org.overlaygate.varpd.dhcp.ClientFrames.ip("10.5.0.1"),
                org.overlaygate.varpd.dhcp.ClientFrames.parse(untagged.sent.get(2)).optionInt(3));
        assertEquals(1, manager.dhcpLeases("d").size());
        assertEquals(2L, dev.event("dhcp_acks"));

        manager.setDhcp("d", Map.of("dhcp/lease", "120"), java.util.Set.of("dhcp/10/subnet"));
        assertEquals("VLAN 10 no longer served", java.util.Set.of("dhcp.d"), dev.ports.keySet());
        assertEquals("120", manager.get("d").properties.get("dhcp/lease"));
        assertThrows(IllegalArgumentException.class, () -> manager.setDhcp("d", Map.of("dhcp/router", "10.9.9.9"), java.util.Set.of()));
        assertEquals("a refused change changes nothing", null, manager.get("d").properties.get("dhcp/router"));

        manager.deactivate();
        assertTrue("ports go with varpd", dev.ports.isEmpty());
        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath, data);
        org.overlaygate.testsupport.Await.until("the port back", () -> !device("d").ports.isEmpty());
        assertEquals("the lease survived the restart", 1, manager.dhcpLeases("d").size());
        assertEquals("120", manager.get("d").properties.get("dhcp/lease"));
        FakeDataPath.Device.Port last = device("d").ports.get("dhcp.d");
        manager.delete("d");
        assertTrue("the lease file goes with the overlay", !java.nio.file.Files.exists(data.resolve("dhcp/d.leases")));
        org.overlaygate.varpd.dhcp.ClientFrames late = new org.overlaygate.varpd.dhcp.ClientFrames(3, MAC_B);
        late.requested = org.overlaygate.varpd.dhcp.ClientFrames.ip("10.5.0.105");
        byte[] lateFrame = late.build(); // a request the data path handed over just before the delete
        last.handler.receiveGroup(java.nio.ByteBuffer.wrap(lateFrame), 0, lateFrame.length, false);
        org.overlaygate.testsupport.Await.until("the late request answered", () -> last.sent.size() == 1);
        assertTrue("and its lease not written back for the deleted overlay", !java.nio.file.Files.exists(data.resolve("dhcp/d.leases")));
    }

    // ---------------------------------------------------------------- creation

    @Test
    public void createMakesTheDeviceStartsTheSearchInstanceAndStoresTheDefinition() throws Exception {
        table.flood = List.of(UnderlayAddress.parse("239.1.1.1:4789"));
        table.policy = TargetPolicy.learning(Duration.ofSeconds(300), 10);
        OverlayView v = create("ovl0", null, "table/tag=blue");
        assertEquals("ONLINE", v.status());
        FakeDataPath.Device d = device("ovl0");
        assertEquals("udp", d.config.encapsulation());
        assertEquals(Map.of("udp/listen_ip", "10.0.0.1"), d.config.encapsulationProperties());
        assertEquals(List.of("start"), table.instances.get(0).events);
        assertEquals("the flood targets the instance set", table.flood, d.floodTargets());
        assertEquals(table.policy, d.settings().targetPolicy());
        assertEquals(1, configs.configs.size());
    }

    @Test
    public void badRequestsAreOneLineRefusalsThatLeaveNothingBehind() {
        String[][] cases = {
            {"nope", "table", null, "unknown encapsulation plugin 'nope' (installed: udp)"},
            {"udp", "nope", null, "unknown search plugin 'nope' (installed: table)"},
            {"udp", "table", "nope", "unknown invalidation plugin 'nope' (installed: none)"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> manager.create("ovl0", c[0], c[1], c[2], 42, null, null, null, Map.of("udp/listen_ip", "10.0.0.1")));
            assertEquals(c[3], e.getMessage());
        }
        assertEquals("missing required property: udp/listen_ip",
                assertThrows(IllegalArgumentException.class, () -> manager.create("ovl0", "udp", "table", null, 42, null, null, null, Map.of()))
                        .getMessage());
        assertEquals("property other/x belongs to none of udp, table, dhcp", assertThrows(IllegalArgumentException.class,
                () -> create("ovl0", null, "other/x=1")).getMessage());
        assertEquals("a misspelled property is named, not reported as the one it misses",
                "unknown property udp/listen_pi (did you mean udp/listen_ip?); udp's properties: udp/listen_ip, udp/listen_port",
                assertThrows(IllegalArgumentException.class, () -> manager.create("ovl0", "udp", "table", null, 42, null, null, null,
                        Map.of("udp/listen_pi", "10.0.0.1"))).getMessage());
        assertEquals("vnet id 16777216 is out of range 0-16777215 for udp", assertThrows(IllegalArgumentException.class,
                () -> manager.create("ovl0", "udp", "table", null, 1 << 24, null, null, null, Map.of("udp/listen_ip", "10.0.0.1"))).getMessage());
        assertEquals("mtu 100 is out of range 576-8900", assertThrows(IllegalArgumentException.class,
                () -> manager.create("ovl0", "udp", "table", null, 42, 100, null, null, Map.of("udp/listen_ip", "10.0.0.1"))).getMessage());
        dataPath.refuse.put("udp", "cannot open UDP underlay 10.0.0.1:4789: Cannot assign requested address");
        assertEquals("encapsulation udp refused the overlay: cannot open UDP underlay 10.0.0.1:4789: Cannot assign requested address",
                assertThrows(IllegalArgumentException.class, () -> create("ovl0", null)).getMessage());
        dataPath.refuse.clear();
        table.failStart = new IllegalStateException("cannot reach the mapping service");
        assertEquals("search plugin table failed: cannot reach the mapping service",
                assertThrows(IllegalArgumentException.class, () -> create("ovl0", null)).getMessage());
        assertEquals("the instance that failed to start was stopped", List.of("stop"), table.instances.get(0).events);
        assertTrue(dataPath.devices.isEmpty());
        assertTrue(configs.configs.isEmpty());
        assertEquals(List.of(), manager.list());
        table.failStart = null;
        assertEquals("ONLINE", create("ovl0", null).status());
        assertEquals("the name ovl0 is already in use", assertThrows(IllegalArgumentException.class, () -> create("ovl0", null)).getMessage());
    }

    @Test
    public void acceptPeersReachesTheDeviceAndComesBackFromTheStore() throws Exception {
        OverlayView v = manager.create("ovl0", "udp", "table", null, 42, null, null, "peers", Map.of("udp/listen_ip", "10.0.0.1"));
        assertEquals("peers", v.accept);
        assertTrue(device("ovl0").config.acceptsPeersOnly());
        assertEquals("accept: 'some' is not one of any, peers", assertThrows(IllegalArgumentException.class,
                () -> manager.create("ovl1", "udp", "table", null, 43, null, null, "some", Map.of("udp/listen_ip", "10.0.0.1"))).getMessage());
        assertEquals("any", create("ovl2", null).accept);
        manager.deactivate();
        dataPath.devices.clear();
        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath);
        assertEquals("peers", manager.get("ovl0").accept);
        assertTrue("the new device accepts peers only too", device("ovl0").config.acceptsPeersOnly());
    }

    @Test
    public void aPointDestinationOfTheOtherIpVersionThanTheListenAddressIsRefused() {
        plugins.searches.put("point", new org.overlaygate.api.search.SearchPlugin() {
            @Override
            public String name() {
                return "point";
            }

            @Override
            public org.overlaygate.api.search.SearchMode mode() {
                return org.overlaygate.api.search.SearchMode.POINT;
            }

            @Override
            public List<org.overlaygate.api.property.PropertySpec> properties() {
                return List.of(org.overlaygate.api.property.PropertySpec.builder("point/dest", org.overlaygate.api.property.PropertyType.IP)
                        .required().build());
            }

            @Override
            public org.overlaygate.api.search.SearchInstance create(org.overlaygate.api.search.SearchContext c,
                    org.overlaygate.api.property.PropertyValues v) {
                UnderlayAddress dest = UnderlayAddress.of(v.getAddress("point/dest"), 4789);
                return new org.overlaygate.api.search.SearchInstance() {
                    @Override
                    public void start() {
                    }

                    @Override
                    public void stop() {
                    }

                    @Override
                    public UnderlayAddress pointDestination() {
                        return dest;
                    }
                };
            }
        });
        assertEquals("search plugin point failed: point's destination [2001:db8::2]:4789 is IPv6 but the overlay listens on 10.0.0.1:4789: "
                + "both must be of one IP version", assertThrows(IllegalArgumentException.class, () -> manager.create("ovl0", "udp", "point",
                        null, 42, null, null, null, Map.of("udp/listen_ip", "10.0.0.1", "point/dest", "2001:db8::2"))).getMessage());
        assertEquals("ONLINE", manager.create("ovl0", "udp", "point", null, 42, null, null, null,
                Map.of("udp/listen_ip", "10.0.0.1", "point/dest", "10.0.0.2")).status());
    }

    @Test
    public void savingTakesNoListingOfEveryDefinition() throws Exception {
        for (int i = 0; i < 50; i++) {
            manager.create("ovl" + i, "udp", "table", null, i, null, null, null, Map.of("udp/listen_ip", "10.0.0.1"));
        }
        int before = configs.listings.get();
        manager.create("ovl50", "udp", "table", null, 50, null, null, null, Map.of("udp/listen_ip", "10.0.0.1"));
        manager.delete("ovl3");
        assertEquals("create and delete cost the same however many overlays exist", before, configs.listings.get());
        assertEquals(50, configs.configs.size());
    }

    // ---------------------------------------------------------------- plugins coming and going

    @Test
    public void aReplacedSearchPluginIsStoppedWithItsStateSavedAndTheNewOneRestoresIt() throws Exception {
        create("ovl0", null);
        FakeDataPath.Device d = device("ovl0");
        table.flood = List.of(UnderlayAddress.parse("10.0.0.7:4789"));
        TestPlugins.Table newer = new TestPlugins.Table("table");
        plugins.searches.put("table", newer);
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("the new instance", () -> !newer.instances.isEmpty() && newer.instances.get(0).events.contains("start"));
        assertEquals(List.of("start", "stop"), table.instances.get(0).events);
        assertEquals(Map.of("instance", "0"), newer.instances.get(0).restored);

        plugins.searches.remove("table");
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("degraded", () -> manager.get("ovl0").reasons.contains("search plugin table is not installed"));
        assertEquals(List.of("start", "stop"), newer.instances.get(0).events);
        assertEquals("the device keeps what the plugin set while it is away", newer.flood, d.floodTargets());
        table.instances.get(0).context.setFloodTargets(List.of(), false);
        assertEquals("a stopped instance's context does nothing", newer.flood, d.floodTargets());

        plugins.searches.put("table", table);
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("healed", () -> manager.get("ovl0").online);
    }

    @Test
    public void theSearchInstancesOwnCountersAreShownWithTheOverlay() throws Exception {
        create("ovl0", null);
        table.table.put(MAC_B, B_HOST);
        assertEquals(Map.of("started", 1L, "table_size", 1L), manager.get("ovl0").searchStats);
        plugins.searches.remove("table");
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("unbound", () -> manager.get("ovl0").searchStats.isEmpty());
    }

    @Test
    public void settledOnlyOnceAPluginEventIsReflectedInTheStatus() throws Exception {
        create("ovl0", null);
        StatusService status = new StatusService(manager, null);
        assertTrue("restored at activation, nothing queued", status.settled());
        assertEquals(List.of(), status.overlays().get(0).reasons());

        TestPlugins.Table newer = new TestPlugins.Table("table");
        CountDownLatch gate = new CountDownLatch(1);
        newer.startGate = gate;
        plugins.searches.put("table", newer);
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        assertFalse("the replacement is being bound", status.settled());
        gate.countDown();
        Await.until("settled", status::settled);
        assertEquals(List.of("start"), newer.instances.get(0).events);

        plugins.searches.remove("table");
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("settled", status::settled);
        org.overlaygate.api.OverlayStatus.Overlay o = status.overlays().get(0);
        assertEquals("ovl0", o.name());
        assertEquals("udp", o.encapsulation());
        assertEquals("table", o.search());
        assertNull(o.invalidation());
        assertEquals(42, o.vnetId());
        assertFalse(o.online());
        assertEquals("the status says so as soon as settled", List.of("search plugin table is not installed"), o.reasons());
    }

    @Test
    public void aSearchPluginReportsTroubleThroughItsContextAndHealsItself() throws Exception {
        create("ovl0", null);
        table.instances.get(0).context.degrade("cannot reach any katar server at katar.example:1296");
        OverlayView v = manager.get("ovl0");
        assertEquals("DEGRADED", v.status());
        assertEquals(List.of("cannot reach any katar server at katar.example:1296"), v.reasons);
        table.instances.get(0).context.restore();
        assertTrue(manager.get("ovl0").online);
        device("ovl0").faults.add("encapsulation udp absent: forwarding with version 1.0.0");
        assertEquals("the data path's faults are reasons too", List.of("encapsulation udp absent: forwarding with version 1.0.0"),
                manager.get("ovl0").reasons);
    }

    @Test
    public void anAbsentInvalidationPluginDegradesTheOverlayUntilItComes() throws Exception {
        TestPlugins.Recorder recorder = new TestPlugins.Recorder();
        plugins.invalidations.put("recorder", recorder);
        OverlayView v = create("ovl0", "recorder", "recorder/port=1400");
        assertEquals("recorder", v.invalidation);
        plugins.invalidations.remove("recorder");
        manager.pluginsChanged(PluginInfo.INVALIDATION, "recorder");
        Await.until("degraded", () -> manager.get("ovl0").reasons.contains("invalidation plugin recorder is not installed"));
        plugins.invalidations.put("recorder", recorder);
        manager.pluginsChanged(PluginInfo.INVALIDATION, "recorder");
        Await.until("healed", () -> manager.get("ovl0").online);
        assertEquals(2, recorder.contexts.size());
        FakeDataPath.Device d = device("ovl0");
        d.setTarget(MAC_B, B_HOST, TargetEntry.Origin.LOOKUP);
        recorder.contexts.get(1).invalidated(MAC_B);
        assertNull("a remote host's invalidation removes the entry", d.targets.get(MAC_B));
        assertEquals(1, d.event(VarpdInvalidationContext.INVALIDATIONS_RECEIVED));
        recorder.contexts.get(0).invalidated(MAC_A);
        assertEquals("the old instance's context is dead", 1, d.event(VarpdInvalidationContext.INVALIDATIONS_RECEIVED));
        TestPlugins.Table.Instance search = table.instances.get(table.instances.size() - 1);
        assertEquals("the search instance heard of the invalidation (it may confirm the next answer later)",
                List.of("invalidated " + Long.toHexString(MAC_B)), search.events.stream().filter(e -> e.startsWith("invalidated")).toList());
    }

    // ---------------------------------------------------------------- upcalls

    /** A miss whose answer the test can read. */
    static class Miss implements MissRequest {
        final LookupRequest request;
        final AtomicReference<String> answer = new AtomicReference<>();
        final CountDownLatch answered = new CountDownLatch(1);

        Miss(long dst) {
            this.request = new LookupRequest(42, MAC_A, dst, 0x0800, LookupRequest.NO_VLAN);
        }

        @Override
        public Kind kind() {
            return Kind.MISS;
        }

        @Override
        public String deviceName() {
            return "ovl0";
        }

        @Override
        public long vnetId() {
            return 42;
        }

        @Override
        public LookupRequest request() {
            return request;
        }

        @Override
        public boolean isRefresh() {
            return false;
        }

        @Override
        public void respond(UnderlayAddress destination) {
            answer.set(destination.toString());
            answered.countDown();
        }

        @Override
        public void drop(String reason) {
            answer.set("drop " + reason);
            answered.countDown();
        }
    }

    @Test
    public void missesAreAnsweredByTheOverlaysSearchInstance() throws Exception {
        create("ovl0", null);
        table.table.put(MAC_B, B_HOST);
        Miss known = new Miss(MAC_B);
        Miss unknown = new Miss(0x020000000009L);
        dataPath.upcalls.add(known);
        dataPath.upcalls.add(unknown);
        assertTrue(known.answered.await(5, TimeUnit.SECONDS));
        assertTrue(unknown.answered.await(5, TimeUnit.SECONDS));
        assertEquals("10.0.0.2:4789", known.answer.get());
        assertEquals("drop not_found", unknown.answer.get());
        org.overlaygate.api.LatencyHistogram.Snapshot latency = new StatusService(manager, null).lookupLatency().get("table");
        assertEquals("both answers timed, for the metrics", 2, latency.count());
    }

    /** Issue 17: an answer from an instance stopped after it was asked must not reach the core. */
    @Test
    public void aStoppedInstancesLateAnswerNeverReachesTheDataPath() throws Exception {
        table.hold = true;
        create("ovl0", null);
        Miss miss = new Miss(MAC_B);
        dataPath.upcalls.add(miss);
        Await.until("the lookup reached the plugin", () -> !table.held.isEmpty());
        TestPlugins.Table newer = new TestPlugins.Table("table");
        plugins.searches.put("table", newer);
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("the new instance", () -> !newer.instances.isEmpty() && newer.instances.get(0).events.contains("start"));
        table.held.get(0).respond(B_HOST);
        assertNull("the stopped instance's answer is not applied", miss.answer.get());
        assertEquals(1, device("ovl0").event(UpcallDispatcher.LATE_ANSWER));
    }

    @Test
    public void aPluginSlowToStartHoldsUpNoLookupOfAnotherOverlay() throws Exception {
        create("ovl0", null);
        table.table.put(MAC_B, B_HOST);
        TestPlugins.Table slow = new TestPlugins.Table("slow");
        slow.startGate = new CountDownLatch(1);
        plugins.searches.put("slow", slow);
        Thread creating = new Thread(() -> manager.create("ovl1", "udp", "slow", null, 43, null, null, null, Map.of("udp/listen_ip", "10.0.0.1")));
        creating.start();
        Await.until("the slow plugin is starting", () -> !slow.instances.isEmpty());
        Miss miss = new Miss(MAC_B);
        dataPath.upcalls.add(miss);
        assertTrue("answered while another overlay's plugin hangs in start()", miss.answered.await(5, TimeUnit.SECONDS));
        assertEquals(1, manager.list().size());
        slow.startGate.countDown();
        creating.join(5000);
        assertEquals(2, manager.list().size());
    }

    @Test
    public void learnedSourcesGoToALearningInstanceWhichInstallsThem() throws Exception {
        table.policy = TargetPolicy.learning(Duration.ofSeconds(300), 10);
        create("ovl0", null);
        InetAddress peer = InetAddress.getByName("10.0.0.9");
        dataPath.upcalls.add(new LearnedSource() {
            @Override
            public long mac() {
                return MAC_B;
            }

            @Override
            public InetAddress address() {
                return peer;
            }

            @Override
            public int port() {
                return 51000;
            }

            @Override
            public Kind kind() {
                return Kind.LEARNED;
            }

            @Override
            public String deviceName() {
                return "ovl0";
            }

            @Override
            public long vnetId() {
                return 42;
            }
        });
        FakeDataPath.Device d = device("ovl0");
        Await.until("learned", () -> d.targets.containsKey(MAC_B));
        assertEquals("the overlay's own port, not the sender's ephemeral one", UnderlayAddress.parse("10.0.0.9:4789"), d.targets.get(MAC_B));
        assertEquals(TargetEntry.Origin.LEARNED, d.origins.get(MAC_B));
        assertEquals(List.of("20000000002@10.0.0.9:51000"), table.instances.get(0).learned);
    }

    @Test
    public void notHereReportsGoToTheInvalidationInstance() throws Exception {
        TestPlugins.Recorder recorder = new TestPlugins.Recorder();
        plugins.invalidations.put("recorder", recorder);
        create("ovl0", "recorder");
        InetAddress sender = InetAddress.getByName("10.0.0.5");
        dataPath.upcalls.add(new NotHere() {
            @Override
            public long mac() {
                return MAC_B;
            }

            @Override
            public InetAddress sender() {
                return sender;
            }

            @Override
            public Kind kind() {
                return Kind.NOT_HERE;
            }

            @Override
            public String deviceName() {
                return "ovl0";
            }

            @Override
            public long vnetId() {
                return 42;
            }
        });
        Await.until("sent", () -> !recorder.sent.isEmpty());
        assertEquals(List.of("42 20000000002 10.0.0.5"), recorder.sent);
    }

    private void addressRequest(byte[] frame) {
        dataPath.upcalls.add(new AddressRequest() {
            @Override
            public ByteBuffer frame() {
                return ByteBuffer.wrap(frame).asReadOnlyBuffer();
            }

            @Override
            public Kind kind() {
                return Kind.ADDRESS_REQUEST;
            }

            @Override
            public String deviceName() {
                return "ovl0";
            }

            @Override
            public long vnetId() {
                return 42;
            }
        });
    }

    @Test
    public void addressRequestsAreAnsweredByProxyWithAReplyToTheAsker() throws Exception {
        table.arp.put(InetAddress.getByName("10.100.0.2"), MAC_B);
        create("ovl0", null);
        FakeDataPath.Device d = device("ovl0");
        assertTrue("the device was told the overlay proxies", d.settings().addressProxy());
        addressRequest(Frames.arpRequest(MAC_A, "10.100.0.1", "10.100.0.2"));
        Await.until("a reply", () -> !d.proxyReplies.isEmpty());
        ByteBuffer reply = ByteBuffer.wrap(d.proxyReplies.get(0));
        assertEquals("to the asker", 0x020000000001L, reply.getLong(0) >>> 16);
        assertEquals("ARP reply", 2, reply.getShort(20));
        assertEquals("from the answered MAC", MAC_B, reply.getLong(22) >>> 16);
        assertEquals("for the asked address", 0x0A640002, reply.getInt(28));

        table.arp.clear();
        table.arp.put(InetAddress.getByName("10.100.0.99"), MAC_B); // the overlay still proxies, but not for .2
        addressRequest(Frames.arpRequest(MAC_A, "10.100.0.1", "10.100.0.2"));
        Await.until("counted unknown", () -> d.event(AddressProxy.UNKNOWN) == 1);
        addressRequest(new byte[] {1, 2, 3});
        Await.until("counted malformed", () -> d.event(AddressProxy.MALFORMED) == 1);
        assertEquals(1, d.proxyReplies.size());
    }

    @Test
    public void aPluginThatThrowsCostsOneUpcallNotTheThread() throws Exception {
        create("ovl0", null);
        Miss bad = new Miss(MAC_B) {
            @Override
            public LookupRequest request() {
                throw new NoClassDefFoundError("org/example/Gone");
            }
        };
        dataPath.upcalls.add(bad);
        Await.until("counted", () -> device("ovl0").event(UpcallDispatcher.PLUGIN_FAILED) == 1);
        table.table.put(MAC_B, B_HOST);
        Miss good = new Miss(MAC_B);
        dataPath.upcalls.add(good);
        assertTrue(good.answered.await(5, TimeUnit.SECONDS));
    }

    // ---------------------------------------------------------------- restart

    @Test
    public void aRestartedVarpdBringsBackDefinitionsAdoptsDevicesAndRestoresTheirVnics() throws Exception {
        TestPlugins.Recorder recorder = new TestPlugins.Recorder();
        plugins.invalidations.put("recorder", recorder);
        create("ovl0", "recorder", "table/tag=red");
        manager.createVnic("vnic0", "ovl0", org.overlaygate.api.datapath.VnicConfig.Kind.MEMORY, null, MAC_A);
        FakeDataPath.Device device = device("ovl0");
        manager.deactivate();
        dataPath.vnics.clear(); // say the VNIC went with a data path restart, while the device was kept

        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath);
        OverlayView v = manager.get("ovl0");
        assertEquals("ONLINE", v.status());
        assertEquals("recorder", v.invalidation);
        assertEquals(Map.of("table/tag", "red", "udp/listen_ip", "10.0.0.1"), v.properties);
        assertTrue("the existing device was adopted", device == device("ovl0"));
        assertNotNull("and its VNIC restored", dataPath.vnics.get("vnic0"));
        assertEquals(Map.of("instance", "0"), table.instances.get(1).restored);
    }

    /**
     * Issue 17: a new varpd adopting a running device applied a fresh overlay's defaults: the
     * flood targets emptied, the policy went back to lookup-only and the multicast group was left
     * (an IGMP leave, then a join once the plugin was back). It must read the device instead, and
     * change nothing until a plugin says otherwise.
     */
    @Test
    public void aRestartedVarpdAdoptsWhatTheDeviceHasAndChangesNothingUntilThePluginDoes() throws Exception {
        table.flood = List.of(UnderlayAddress.parse("239.1.1.1:4789"));
        table.group = InetAddress.getByName("239.1.1.1");
        table.policy = TargetPolicy.learning(Duration.ofSeconds(300), 10);
        create("ovl0", null);
        FakeDataPath.Device d = device("ovl0");
        org.overlaygate.api.datapath.DeviceSettings before = d.settings();
        assertEquals(List.of("join 239.1.1.1/null/1"), d.groupChanges);
        manager.deactivate();
        plugins.searches.remove("table"); // the new varpd starts before its search plugin is back

        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath);
        assertTrue("adopted", d == device("ovl0"));
        assertEquals("nothing changed on the device", before, d.settings());
        assertTrue(manager.get("ovl0").reasons.contains("search plugin table is not installed"));

        plugins.searches.put("table", table);
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("bound again", () -> manager.get("ovl0").online);
        assertEquals(before, d.settings());
        assertEquals("the group was never left and joined again", List.of("join 239.1.1.1/null/1"), d.groupChanges);
    }

    /** Issue 19: a router asks the overlay's search plugin who has its next hop, without a frame. */
    @Test
    public void theSearchPluginIsAskedWhoHasAnAddressWithoutAFrame() throws Exception {
        table.arp.put(InetAddress.getByName("10.100.0.2"), MAC_B);
        create("ovl0", null);
        AddressLookupService lookup = new AddressLookupService(manager);
        assertEquals(java.util.OptionalLong.of(MAC_B),
                lookup.macOf("ovl0", InetAddress.getByName("10.100.0.2"), AddressLookupService.NO_VLAN).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals(java.util.OptionalLong.empty(),
                lookup.macOf("ovl0", InetAddress.getByName("10.100.0.3"), AddressLookupService.NO_VLAN).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals("no overlay nope",
                assertThrows(IllegalArgumentException.class, () -> lookup.macOf("nope", InetAddress.getByName("10.100.0.2"), -1)).getMessage());
        plugins.searches.remove("table");
        manager.pluginsChanged(PluginInfo.SEARCH, "table");
        Await.until("unbound", () -> !manager.get("ovl0").online);
        assertEquals("no plugin: unknown, at once", java.util.OptionalLong.empty(),
                lookup.macOf("ovl0", InetAddress.getByName("10.100.0.2"), AddressLookupService.NO_VLAN).toCompletableFuture().get(5, TimeUnit.SECONDS));
    }

    /** Issue 20: a VNIC's VLAN is stored and comes back with it. */
    @Test
    public void aVnicsVlanIsStoredAndRestored() throws Exception {
        create("ovl0", null);
        org.overlaygate.api.datapath.VnicInfo info =
                manager.createVnic("vnic10", "ovl0", org.overlaygate.api.datapath.VnicConfig.Kind.MEMORY, null, MAC_A, 10);
        assertEquals(10, info.vlan());
        assertEquals(10, manager.vnicViews().get(0).vlan);
        manager.deactivate();
        dataPath.vnics.clear();
        manager = new OverlayManager(plugins, new DefinitionStore(configs), dataPath);
        assertEquals("restored on its VLAN", 10, dataPath.vnics.get("vnic10").vlan());
        assertEquals(10, manager.vnicViews().get(0).vlan);
    }
}
