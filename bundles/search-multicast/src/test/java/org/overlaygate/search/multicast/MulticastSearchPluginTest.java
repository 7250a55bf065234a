package org.overlaygate.search.multicast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.Test;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.testsupport.RecordingSearchContext;

public class MulticastSearchPluginTest {
    private final MulticastSearchPlugin plugin = new MulticastSearchPlugin();

    /** The overlay's recorder, on a VXLAN underlay at 10.0.0.1:4789. */
    private static RecordingSearchContext context() {
        RecordingSearchContext ctx = new RecordingSearchContext();
        ctx.self = UnderlayAddress.parse("10.0.0.1:4789");
        return ctx;
    }

    private SearchInstance create(RecordingSearchContext ctx, String... props) throws PropertyException {
        Map<String, String> p = new TreeMap<>();
        for (String kv : props) {
            p.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return plugin.create(ctx, PropertyValues.validate(plugin.properties(), p));
    }

    @Test
    public void aGroupIsJoinedAndTakesBroadcastAndUnknownUnicast() throws Exception {
        RecordingSearchContext ctx = context();
        SearchInstance s = create(ctx, "multicast/group=239.1.1.1", "multicast/ttl=4");
        s.start();
        assertEquals(List.of("join 239.1.1.1 null ttl 4", "flood [239.1.1.1:4789] +unknown"), ctx.calls);
        assertEquals(TargetPolicy.learning(Duration.ofSeconds(300), 16384), s.targetPolicy());
    }

    @Test
    public void peersAreHeadEndReplicatedWithTheOverlaysOwnPortAndNeverToItself() throws Exception {
        RecordingSearchContext ctx = context();
        SearchInstance s = create(ctx, "multicast/peers=10.0.0.2, 10.0.0.3,10.0.0.1,10.0.0.2", "multicast/ageing=60",
                "multicast/max_entries=100");
        s.start();
        assertEquals(List.of("flood [10.0.0.2:4789, 10.0.0.3:4789] +unknown"), ctx.calls);
        assertEquals(TargetPolicy.learning(Duration.ofSeconds(60), 100), s.targetPolicy());
    }

    @Test
    public void aSourceIsLearnedAtItsAddressWithTheOverlaysPortNotItsEphemeralOne() throws Exception {
        RecordingSearchContext ctx = context();
        SearchInstance s = create(ctx, "multicast/group=239.1.1.1");
        s.start();
        ctx.calls.clear();
        s.learned(0x020000000002L, UnderlayAddress.parse("10.0.0.7:51234"));
        assertEquals(List.of("learn 02:00:00:00:00:02 10.0.0.7:4789"), ctx.calls);
    }

    @Test
    public void overNvgreTheDestinationsHaveNoPort() throws Exception {
        RecordingSearchContext ctx = context();
        ctx.self = UnderlayAddress.parse("10.0.0.1");
        SearchInstance s = create(ctx, "multicast/group=239.1.1.1", "multicast/peers=10.0.0.2");
        s.start();
        assertEquals("flood [239.1.1.1, 10.0.0.2] +unknown", ctx.calls.get(1));
    }

    @Test
    public void whatCannotWorkIsRefusedWithTheReason() {
        RecordingSearchContext ctx = context();
        assertEquals("multicast needs multicast/group or multicast/peers (or both): where else would broadcast go?",
                assertThrows(PropertyException.class, () -> create(ctx)).getMessage());
        assertEquals("multicast/group: 10.1.1.1 is not a multicast address",
                assertThrows(PropertyException.class, () -> create(ctx, "multicast/group=10.1.1.1")).getMessage());
        assertEquals("multicast/peers: 239.1.1.1 is not a unicast address",
                assertThrows(PropertyException.class, () -> create(ctx, "multicast/peers=10.0.0.2,239.1.1.1")).getMessage());
        assertTrue(assertThrows(PropertyException.class, () -> create(ctx, "multicast/peers=10.0.0.x")).getMessage()
                .startsWith("multicast/peers: "));
        assertEquals("multicast/interface: no network interface nosuch0",
                assertThrows(PropertyException.class, () -> create(ctx, "multicast/group=239.1.1.1", "multicast/interface=nosuch0"))
                        .getMessage());
        assertEquals("multicast/ttl: 0 is out of range 1-255",
                assertThrows(PropertyException.class, () -> create(ctx, "multicast/group=239.1.1.1", "multicast/ttl=0")).getMessage());
    }

    @Test
    public void anAddressOfTheOtherIpVersionOrAnUnboundOverlayRefusesToStart() throws Exception {
        RecordingSearchContext ctx = context();
        SearchInstance v6 = create(ctx, "multicast/group=ff15::1");
        assertTrue(assertThrows(IllegalStateException.class, v6::start).getMessage().contains("is not of the IP version"));
        ctx.self = null;
        SearchInstance unbound = create(ctx, "multicast/group=239.1.1.1");
        assertTrue(assertThrows(IllegalStateException.class, unbound::start).getMessage().contains("not known yet"));
    }
}
