package org.overlaygate.core;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** Where a time in microseconds (the busy-poll time) comes from: ConfigAdmin's setting, else the framework property, else the default; a bad property is the default. */
public class MicrosSettingTest {
    @Test
    public void configAdminWinsThenTheFrameworkPropertyThenZero() {
        assertEquals(20, DataPathService.micros(20, "50", "p", 0));
        assertEquals(0, DataPathService.micros(0, "50", "p", 0));
        assertEquals(50, DataPathService.micros(-1, " 50 ", "p", 0));
        assertEquals(0, DataPathService.micros(-1, null, "p", 0));
        assertEquals(0, DataPathService.micros(-1, "", "p", 0));
        assertEquals(1000, DataPathService.micros(-1, null, "p", 1000));
    }

    @Test
    public void aPropertyThatIsNotMicrosecondsIsRefused() {
        assertEquals(0, DataPathService.micros(-1, "-5", "p", 0));
        assertEquals(0, DataPathService.micros(-1, "fast", "p", 0));
        assertEquals(1000, DataPathService.micros(-1, "fast", "p", 1000));
    }
}
