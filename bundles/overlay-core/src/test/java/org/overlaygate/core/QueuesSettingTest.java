package org.overlaygate.core;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * Where the number of queues per TAP device and of receiving sockets per UDP listen port comes
 * from: ConfigAdmin's setting, else the framework property, else the default; bad values are the
 * default.
 */
public class QueuesSettingTest {
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

    @Test
    public void underlayQueuesAreOneToSixteenAndFourByDefault() {
        assertEquals(4, DataPathService.DEFAULT_UNDERLAY_QUEUES);
        assertEquals(1, DataPathService.underlayQueues(1, "8"));
        assertEquals(8, DataPathService.underlayQueues(0, "8"));
        assertEquals(16, DataPathService.underlayQueues(16, null));
        assertEquals(DataPathService.DEFAULT_UNDERLAY_QUEUES, DataPathService.underlayQueues(17, null));
        assertEquals(DataPathService.DEFAULT_UNDERLAY_QUEUES, DataPathService.underlayQueues(0, "-3"));
        assertEquals(DataPathService.DEFAULT_UNDERLAY_QUEUES, DataPathService.underlayQueues(0, null));
    }
}
