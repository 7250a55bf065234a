package org.overlaygate.router;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.service.command.Function;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.shell.CommandException;

/** The manager and the router: commands, durability through ConfigAdmin, attaching as overlays come and go. */
public class RouterManagerTest {
    final FakeServices.Store store = new FakeServices.Store();
    final FakeServices.Overlays overlays = new FakeServices.Overlays();
    final AtomicLong now = new AtomicLong(1);
    @Rule
    public final TemporaryFolder state = new TemporaryFolder();
    RouterManager manager;
    Map<String, Function> commands;

    @Before
    public void setUp() {
        overlays.add("ovl1", 1400);
        overlays.add("ovl2", 1300);
        manager = newManager();
    }

    RouterManager newManager() {
        RouterManager m = new RouterManager(overlays.dataPath(), new RouterStore(store.admin()), now::get, state.getRoot().toPath());
        commands = new RouterCommands(m).functions();
        return m;
    }

    String run(String command, String... words) throws Exception {
        Object out = commands.get(command).execute(null, List.of((Object[]) words));
        return String.valueOf(out);
    }

    String error(String command, String... words) {
        CommandException e = assertThrows(CommandException.class, () -> run(command, words));
        assertTrue("one line: " + e.getMessage(), !e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    public void theMacComesFromTheNameAlone() {
        long a = RouterMac.of("r1");
        assertEquals(a, RouterMac.of("r1"));
        assertNotEquals(a, RouterMac.of("r2"));
        assertTrue(MacAddress.isLocallyAdministered(a));
        assertTrue(!MacAddress.isGroup(a));
    }

    @Test
    public void aRouterIsCreatedAttachedAndComesBackFromConfigAdmin() throws Exception {
        assertTrue(run("create", "r1").startsWith("router r1 created: " + MacAddress.format(RouterMac.of("r1"))));
        run("attach", "r1", "ovl1", "10.1.0.1/24", "2001:db8:1::1/64");
        run("attach", "-m", "02:00:00:00:00:99", "r1", "ovl2", "10.2.0.1/24");
        run("route-add", "r1", "10.9.0.0/16", "via", "10.2.0.254");
        run("route-add", "r1", "10.66.0.0/16", "blackhole");
        assertNotNull(overlays.attached.get("r1.ovl1"));
        assertEquals(0x0200_0000_0099L, overlays.attached.get("r1.ovl2").mac());

        String show = run("show", "-p", "-o", "ROUTER,OVERLAY,ADDRESSES,MTU,STATE");
        assertEquals("r1:ovl1:10.1.0.1/24,2001\\:db8\\:1\\:\\:1/64:1400:up\nr1:ovl2:10.2.0.1/24:1300:up\n", show);
        String routes = run("routes", "r1", "-p", "-o", "PREFIX,TYPE,NEXTHOP,OVERLAY");
        assertTrue(routes, routes.contains("10.9.0.0/16:static:10.2.0.254:ovl2"));
        assertTrue(routes, routes.contains("10.66.0.0/16:blackhole:--:--"));
        assertTrue(routes, routes.contains("10.1.0.0/24:connected:--:ovl1"));

        manager.deactivate();
        assertTrue("detached when the bundle stops", overlays.attached.isEmpty());
        RouterManager again = newManager();
        again.restore();
        assertEquals(2, again.router("r1").config().ports.length);
        assertEquals("3 connected, a static and a blackhole route", 5, again.router("r1").config().table.size());
        assertNotNull("attached again", overlays.attached.get("r1.ovl1"));
        assertEquals(show, run("show", "-p", "-o", "ROUTER,OVERLAY,ADDRESSES,MTU,STATE"));
    }

    @Test
    public void anUplinkIsOpenedOnItsHostInterfaceKeptInConfigAdminAndRemoved() throws Exception {
        run("create", "r1");
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        long mac = RouterMac.of("r1/uplink/192.0.2.2");
        assertEquals("router r1: uplink on ogup0: " + MacAddress.format(mac) + " 192.0.2.2/24 gw 192.0.2.1\n",
                run("uplink", "r1", "ogup0", "192.0.2.2/24", "gw", "192.0.2.1"));
        FakeLink link = overlays.links.get("ogup0");
        assertNotNull("the host link opened at once", link);
        assertEquals("a TAP device made for an uplink has Ethernet's MTU", 1500, link.mtu);
        run("route-add", "r1", "0.0.0.0/0", "uplink");
        assertEquals("router r1: 10.1.0.0/24 masqueraded behind 192.0.2.2\n", run("nat", "r1", "snat", "10.1.0.0/24"));
        String show = run("show", "-p", "-o", "OVERLAY,MACADDRESS,ADDRESSES,MTU,STATE", "r1");
        assertTrue(show, show.contains("uplink\\:ogup0:" + MacAddress.format(mac).replace(":", "\\:") + ":192.0.2.2/24:1500:up\n"));
        String routes = run("routes", "r1", "-p", "-o", "PREFIX,TYPE,NEXTHOP,OVERLAY,STATE");
        assertTrue(routes, routes.contains("0.0.0.0/0:uplink:192.0.2.1:uplink\\:ogup0:active"));

        assertTrue(error("uplink", "r1", "eth1", "198.51.100.2/24").contains("has an uplink on ogup0 already"));
        run("uplink", "r1", "remove");
        assertTrue("removing it closes the link", link.closed);
        assertTrue(run("routes", "r1").contains("inactive: no uplink"));
        assertTrue(error("uplink", "r1", "ogup0", "192.0.2.2/24", "gw", "192.0.3.1").contains("gateway 192.0.3.1 is on none of the uplink's subnets"));
        assertTrue(error("uplink", "r1", "ogup0", "192.0.2.2/24", "gw", "192.0.2.2").contains("or is its own address"));
        assertTrue(error("uplink", "r1", "ogup0", "10.1.0.2/16").contains("overlaps 10.1.0.1/24 on ovl1"));
        assertTrue(error("uplink", "r1", "bad/name", "192.0.2.2/24").contains("bad interface name"));
        assertTrue(error("uplink", "r1", "remove").contains("has no uplink"));

        run("uplink", "r1", "ogup0", "192.0.2.2/24", "gw", "192.0.2.1");
        manager.deactivate();
        assertTrue("closed when the bundle stops", overlays.links.get("ogup0").closed);
        RouterManager again = newManager();
        again.restore();
        assertTrue("opened again", !overlays.links.get("ogup0").closed);
        assertEquals(show, run("show", "-p", "-o", "OVERLAY,MACADDRESS,ADDRESSES,MTU,STATE", "r1"));
        assertEquals("the route to the uplink came back with it", "0.0.0.0/0:uplink:192.0.2.1\n",
                run("routes", "r1", "-p", "-o", "PREFIX,TYPE,NEXTHOP").lines().filter(l -> l.startsWith("0.0.0.0")).findFirst().orElse("") + "\n");
    }

    @Test
    public void anUplinkWithoutAGatewayTakesNoUplinkRoutes() throws Exception {
        run("create", "r1");
        run("uplink", "r1", "ogup0", "192.0.2.2/24");
        assertTrue(error("route-add", "r1", "0.0.0.0/0", "uplink").contains("uplink has no gateway"));
        assertTrue(error("route-add", "r2", "0.0.0.0/0", "uplink").contains("no router r2"));
        run("route-add", "r1", "198.51.100.0/24", "via", "192.0.2.1");
    }

    @Test
    public void anUplinkThatCannotOpenSaysWhyAndIsTriedAgain() throws Exception {
        run("create", "r1");
        overlays.refusedLinks.put("eth9", "cannot attach to eth9: no such device");
        assertTrue(run("uplink", "r1", "eth9", "198.51.100.2/24").endsWith("(cannot open eth9: cannot attach to eth9: no such device)\n"));
        assertTrue(run("show", "r1").contains("absent: cannot open eth9"));
        overlays.refusedLinks.clear();
        now.addAndGet(2_000_000_000L);
        manager.tick();
        assertTrue(run("show", "r1").contains(" up"));
    }

    @Test
    public void masqueradedConnectionsAndNeighboursOutliveARestartOfTheBundle() throws Exception {
        run("create", "r1");
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        run("attach", "r1", "ovl2", "10.2.0.1/24");
        run("nat", "r1", "snat", "10.1.0.0/24", "10.2.0.1");
        Router r = manager.router("r1");
        int port = r.conns.outbound(6, (int) Ip.parse("10.1.0.5")[1], 40000, (int) Ip.parse("10.2.0.50")[1], 80, 0x02);
        RouterPort ovl2 = r.config().ports[1];
        ovl2.neighbours.restoreStale(0, Ip.parse("10.2.0.50")[1], 0x0200_0000_0050L, "arp");
        String conns = run("conns", "r1", "-p", "-o", "PROTO,INSIDE,PORT,REMOTE");

        manager.deactivate();
        assertTrue("kept in the bundle's data area", java.nio.file.Files.exists(RouterState.file(state.getRoot().toPath(), "r1")));
        RouterManager again = newManager();
        again.restore();
        Router back = again.router("r1");
        assertEquals("the connection, on its outside port", conns, run("conns", "r1", "-p", "-o", "PROTO,INSIDE,PORT,REMOTE"));
        assertTrue(conns, conns.contains(":" + port + ":"));
        Neighbour n = back.config().ports[1].neighbours.get(0, Ip.parse("10.2.0.50")[1]);
        assertEquals(0x0200_0000_0050L, n.mac);
        assertEquals("used at once, confirmed when used", Neighbour.State.STALE, n.state);
        assertTrue("read once", !java.nio.file.Files.exists(RouterState.file(state.getRoot().toPath(), "r1")));
    }

    @Test
    public void aStateFileThatCannotBeReadLeavesTheRouterEmptyNotBroken() throws Exception {
        run("create", "r1");
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        manager.deactivate();
        java.nio.file.Files.write(RouterState.file(state.getRoot().toPath(), "r1"), new byte[] {1, 2, 3});
        RouterManager again = newManager();
        again.restore();
        assertEquals("no connections\n", run("conns", "r1"));
        assertTrue(run("show", "r1").contains(" up"));
    }

    @Test
    public void aPortWaitsForItsOverlayAndLetsGoWhenItGoes() throws Exception {
        run("create", "r1");
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        overlays.devices.remove("ovl1");
        manager.tick();
        assertNull(overlays.attached.get("r1.ovl1"));
        assertTrue(run("show", "r1").contains("absent: overlay ovl1 is gone"));
        overlays.add("ovl1", 1400);
        now.addAndGet(2_000_000_000L);
        manager.tick();
        assertNotNull(overlays.attached.get("r1.ovl1"));
    }

    @Test
    public void mistakesAreOneLineAndChangeNothing() throws Exception {
        run("create", "r1");
        assertEquals("router r1 exists (usage: router:create [-m MAC] NAME)".replace(" (usage: router:create [-m MAC] NAME)", ""),
                error("create", "r1"));
        assertTrue(error("attach", "r2", "ovl1", "10.1.0.1/24").startsWith("no router r2 (did you mean r1?"));
        assertTrue(error("attach", "r1", "ovl3", "10.1.0.1/24"), error("attach", "r1", "ovl3", "10.1.0.1/24").startsWith("no overlay ovl3"));
        assertTrue(error("attach", "r1", "ovl1", "10.1.0.1").contains("has no prefix length"));
        assertTrue(error("attach", "r1", "ovl1", "10.1.0.300/24").contains("bad address"));
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        assertTrue(error("attach", "r1", "ovl2", "10.1.0.200/25").contains("overlaps 10.1.0.1/24 on ovl1"));
        assertTrue(error("attach", "r1", "ovl1", "10.3.0.1/24").contains("already on ovl1"));
        assertTrue(error("route-add", "r1", "10.9.0.0/16", "via", "10.7.0.1").contains("on none of router r1's subnets"));
        assertTrue(error("route-add", "r1", "10.9.0.0/16", "to", "10.1.0.7").contains("bad route"));
        assertTrue(error("route-remove", "r1", "10.9.0.0/16").contains("no static route"));
        assertTrue(error("detach", "r1", "ovl2").contains("not on ovl2"));
        assertTrue(error("show", "-p").contains("-p needs -o"));
        assertTrue(error("create", "bad name!").contains("bad router name"));
        store.failWrites = true;
        assertTrue(error("route-add", "r1", "10.9.0.0/16", "blackhole").contains("cannot save router r1: disk full"));
        assertEquals("nothing changed", 0, manager.router("r1").definition().routes.size());
    }

    @Test
    public void natIsCheckedStoredAndShown() throws Exception {
        run("create", "r1");
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        run("attach", "r1", "ovl2", "10.2.0.1/24");
        assertTrue(error("nat", "r1", "dnat", "10.9.0.100", "10.1.0.5").contains("on none of router r1's subnets"));
        assertTrue(error("nat", "r1", "dnat", "10.2.0.100", "10.2.0.5").contains("must be on another"));
        assertTrue(error("nat", "r1", "dnat", "10.2.0.1", "10.1.0.5").contains("the router itself"));
        assertEquals("router r1: 10.2.0.100 stands for 10.1.0.5\n", run("nat", "r1", "dnat", "10.2.0.100", "10.1.0.5"));
        assertTrue(error("nat", "r1", "dnat", "10.2.0.101", "10.1.0.5").contains("already"));
        assertEquals("dnat:10.2.0.100:10.1.0.5:ovl2\n", run("nat", "r1", "-p", "-o", "TYPE,FROM,TO,OUTSIDE"));
        manager.deactivate();
        RouterManager again = newManager();
        again.restore();
        assertEquals("kept in ConfigAdmin", "dnat:10.2.0.100:10.1.0.5:ovl2\n", run("nat", "r1", "-p", "-o", "TYPE,FROM,TO,OUTSIDE"));
        assertTrue(error("nat", "r1", "snat", "10.2.0.0/24", "10.2.0.1").contains("masquerade a prefix behind another port"));
        assertTrue(error("nat", "r1", "snat", "10.1.0.0/24", "10.7.0.1").contains("on none of router r1's subnets"));
        assertEquals("router r1: 10.1.0.0/24 masqueraded behind 10.2.0.1\n", run("nat", "r1", "snat", "10.1.0.0/24", "10.2.0.1"));
        assertTrue(run("nat", "r1", "-p", "-o", "TYPE,FROM,TO,OUTSIDE").contains("snat:10.1.0.0/24:10.2.0.1:ovl2\n"));
        assertEquals("no connections\n", run("conns", "r1"));
        run("nat", "r1", "remove", "10.1.0.0/24");
        run("nat", "r1", "remove", "10.2.0.100");
        assertEquals("no translations\n", run("nat", "r1"));
        assertTrue(error("nat", "r1", "remove", "10.2.0.100").contains("does not translate"));
    }

    @Test
    public void everyCommandHasHelp() throws Exception {
        for (Map.Entry<String, Function> c : commands.entrySet()) {
            String help = run(c.getKey(), "-h");
            assertTrue(c.getKey() + ": " + help, help.startsWith("usage: router:" + c.getKey()));
        }
    }

    @Test
    public void statsAndNeighboursShowWhatHappened() throws Exception {
        run("create", "r1");
        run("attach", "r1", "ovl1", "10.1.0.1/24");
        RouterPort p = manager.router("r1").config().ports[0];
        byte[] arp = Wire.arp(0xFFFF_FFFF_FFFFL, 1, 0x0200_0000_0005L, "10.1.0.5", 0, "10.1.0.1");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(200);
        b.put(64, arp);
        assertTrue(p.receiveGroup(b, 64, arp.length, false));
        assertTrue(run("stats", "r1", "-p", "-o", "COUNTER,VALUE").contains("arp_answered:1\n"));
        assertEquals("ovl1:10.1.0.5:02\\:00\\:00\\:00\\:00\\:05:stale:arp\n",
                run("neigh", "r1", "-p", "-o", "OVERLAY,ADDRESS,MACADDRESS,STATE,SOURCE"));
        run("delete", "r1");
        assertTrue(overlays.attached.isEmpty());
        assertTrue(store.configs.isEmpty());
    }
}
