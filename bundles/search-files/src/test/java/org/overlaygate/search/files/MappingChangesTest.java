package org.overlaygate.search.files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.overlaygate.testsupport.RecordingSearchContext;

/** The diff-and-invalidate step: only what changed reaches the target cache. */
public class MappingChangesTest {
    private static final MappingFile.Underlay UDP4 = new MappingFile.Underlay(true, true);

    private static Mapping mapping(String... entries) throws MappingException {
        return MappingFile.parse("{" + String.join(",", entries) + "}", UDP4);
    }

    private static String entry(int n, String ipPort, String arp) {
        int colon = ipPort.indexOf(':');
        return "\"02:00:00:00:00:0" + n + "\": {\"ip\": \"" + ipPort.substring(0, colon) + "\", \"port\": " + ipPort.substring(colon + 1)
                + (arp == null ? "" : ", \"arp\": \"" + arp + "\"") + "}";
    }

    private static List<String> applied(Mapping before, Mapping after) {
        RecordingSearchContext ctx = new RecordingSearchContext();
        try {
            MappingChanges.between(before, after).applyTo(ctx);
            return ctx.take();
        } finally {
            ctx.shutdown();
        }
    }

    @Test
    public void anUnchangedMappingTouchesNothing() throws Exception {
        Mapping m = mapping(entry(1, "10.0.0.2:6081", "192.168.0.1"), entry(2, "10.0.0.3:6081", null));
        Mapping same = mapping(entry(2, "10.0.0.3:6081", null), entry(1, "10.0.0.2:6081", "192.168.0.1"));
        assertTrue(MappingChanges.between(m, same).isEmpty());
        assertEquals(List.of(), applied(m, same));
    }

    @Test
    public void movedMacsAreRePointedRemovedAndAddedOnesForgottenTheRestUntouched() throws Exception {
        Mapping before = mapping(entry(1, "10.0.0.2:6081", null), entry(2, "10.0.0.3:6081", null), entry(3, "10.0.0.4:6081", null),
                entry(4, "10.0.0.5:6081", null));
        Mapping after = mapping(entry(1, "10.0.0.2:6081", null), entry(2, "10.0.0.9:6081", null), entry(3, "10.0.0.4:7000", null),
                entry(5, "10.0.0.5:6081", null));
        MappingChanges c = MappingChanges.between(before, after);
        assertEquals("2 moved, 1 removed, 1 added, 0 addresses reassigned (02:00:00:00:00:02 -> 10.0.0.9:6081, 02:00:00:00:00:03 -> 10.0.0.4:7000)",
                c.toString());
        assertEquals(List.of("set 02:00:00:00:00:02 10.0.0.9:6081", "set 02:00:00:00:00:03 10.0.0.4:7000",
                "invalidate 02:00:00:00:00:04", "invalidate 02:00:00:00:00:05"), applied(before, after));
    }

    @Test
    public void aMacMovedToThisHostIsForgottenNotSentToOurselves() throws Exception {
        Mapping before = mapping(entry(1, "10.0.0.2:6081", null));
        Mapping after = mapping(entry(1, "10.0.0.1:6081", null)); // RecordingSearchContext's own address
        assertEquals(List.of("invalidate 02:00:00:00:00:01"), applied(before, after));
    }

    @Test
    public void anAddressThatChangedMacIsAnnouncedToTheLocalVnics() throws Exception {
        Mapping before = mapping(entry(1, "10.0.0.2:6081", "192.168.0.10"), entry(2, "10.0.0.3:6081", "192.168.0.20"));
        Mapping after = mapping(entry(1, "10.0.0.2:6081", "192.168.0.20"), entry(2, "10.0.0.3:6081", "192.168.0.30"));
        assertEquals("only .20 had a MAC before, and now has another", List.of("announce 192.168.0.20 02:00:00:00:00:01"),
                applied(before, after));
    }

    @Test
    public void fromNothingEveryMacIsForgottenInCaseItHeldADropEntry() throws Exception {
        assertEquals(List.of("invalidate 02:00:00:00:00:01", "invalidate 02:00:00:00:00:02"),
                applied(Mapping.EMPTY, mapping(entry(2, "10.0.0.3:6081", null), entry(1, "10.0.0.2:6081", null))));
    }

    @Test
    public void theSavedDestinationsReadBackAsTheyWere() throws Exception {
        Mapping m = MappingFile.parse("{\"02:00:00:00:00:01\": {\"ip\": \"fd00::2\", \"port\": 6081},"
                + " \"02:00:00:00:00:02\": {\"ip\": \"10.0.0.3\", \"port\": 1}}", MappingFile.Underlay.UNKNOWN);
        String text = m.destinationsText();
        assertEquals("02:00:00:00:00:01=[fd00::2]:6081;02:00:00:00:00:02=10.0.0.3:1", text);
        assertTrue(MappingChanges.between(m, Mapping.ofDestinationsText(text)).isEmpty());
        assertEquals(1, Mapping.ofDestinationsText("02:00:00:00:00:01=10.0.0.3:1;garbage;x=y").size());
    }
}
