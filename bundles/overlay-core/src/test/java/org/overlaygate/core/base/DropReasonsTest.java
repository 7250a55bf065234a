package org.overlaygate.core.base;

import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Every reason the data path counts under is reported before anything is dropped (metrics show each at 0). */
public class DropReasonsTest {
    @Test
    public void allIsEveryConstantAndEachIsAMetricsLabelValue() {
        assertTrue(DropReasons.all().containsAll(java.util.List.of(DropReasons.RUNT, DropReasons.TOO_BIG, DropReasons.NOT_HERE,
                DropReasons.DELIVERY_QUEUE_FULL, DropReasons.UNKNOWN_VNET, DropReasons.OTHER)));
        for (String r : DropReasons.all()) {
            assertTrue(r, r.matches("[a-z0-9_]{1,32}"));
        }
    }
}
