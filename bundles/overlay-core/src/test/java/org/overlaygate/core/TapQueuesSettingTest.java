package org.overlaygate.core;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** Where the number of queues per TAP device comes from: ConfigAdmin's setting, else the framework property, else the default; bad values are the default. */
public class TapQueuesSettingTest {
    @Test
    public void configAdminWinsThenTheFrameworkPropertyThenTheDefault() {
        assertEquals(4, DataPathService.tapQueues(4, "2"));
        assertEquals(1, DataPathService.tapQueues(1, null));
        assertEquals(2, DataPathService.tapQueues(0, " 2 "));
        assertEquals(16, DataPathService.tapQueues(-1, "16"));
        assertEquals(DataPathService.DEFAULT_TAP_QUEUES, DataPathService.tapQueues(0, null));
        assertEquals(DataPathService.DEFAULT_TAP_QUEUES, DataPathService.tapQueues(0, ""));
    }

    @Test
    public void aNumberOutOfOneToSixtyFourIsRefused() {
        assertEquals(64, DataPathService.tapQueues(64, null));
        assertEquals(DataPathService.DEFAULT_TAP_QUEUES, DataPathService.tapQueues(65, null));
        assertEquals(DataPathService.DEFAULT_TAP_QUEUES, DataPathService.tapQueues(0, "0"));
        assertEquals(DataPathService.DEFAULT_TAP_QUEUES, DataPathService.tapQueues(0, "many"));
    }
}
