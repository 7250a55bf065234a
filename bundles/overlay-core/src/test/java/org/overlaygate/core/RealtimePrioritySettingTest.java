package org.overlaygate.core;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * Where the light path threads' real-time priority comes from: ConfigAdmin's setting (0 or more),
 * else the framework property, else none (0); values Linux has not are none.
 */
public class RealtimePrioritySettingTest {
    @Test
    public void configAdminWinsThenTheFrameworkPropertyThenNone() {
        assertEquals(7, DataPathService.realtimePriority(7, "3"));
        assertEquals(0, DataPathService.realtimePriority(0, "3"));
        assertEquals(3, DataPathService.realtimePriority(-1, " 3 "));
        assertEquals(0, DataPathService.realtimePriority(-1, null));
        assertEquals(0, DataPathService.realtimePriority(-1, ""));
    }

    @Test
    public void aValueOutOfZeroToNinetyNineIsNone() {
        assertEquals(99, DataPathService.realtimePriority(99, null));
        assertEquals(1, DataPathService.realtimePriority(-1, "1"));
        assertEquals(0, DataPathService.realtimePriority(100, null));
        assertEquals(0, DataPathService.realtimePriority(-1, "-3"));
        assertEquals(0, DataPathService.realtimePriority(-1, "high"));
    }
}
