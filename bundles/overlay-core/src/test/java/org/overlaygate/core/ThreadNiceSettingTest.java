package org.overlaygate.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

/**
 * Where the data path threads' nice value comes from: ConfigAdmin's setting, else the framework
 * property, else the default; {@code inherit} keeps the process's own; bad values are the default.
 */
public class ThreadNiceSettingTest {
    @Test
    public void configAdminWinsThenTheFrameworkPropertyThenTheDefault() {
        assertEquals(-5, DataPathService.DEFAULT_THREAD_NICE);
        assertEquals(Integer.valueOf(-5), DataPathService.threadNice("-5", "3"));
        assertEquals(Integer.valueOf(3), DataPathService.threadNice("", " 3 "));
        assertEquals(Integer.valueOf(3), DataPathService.threadNice(null, "3"));
        assertEquals(Integer.valueOf(DataPathService.DEFAULT_THREAD_NICE), DataPathService.threadNice("", null));
        assertEquals(Integer.valueOf(DataPathService.DEFAULT_THREAD_NICE), DataPathService.threadNice(" ", ""));
    }

    @Test
    public void inheritKeepsTheProcesssOwn() {
        assertNull(DataPathService.threadNice("inherit", "-5"));
        assertNull(DataPathService.threadNice("", "inherit"));
    }

    @Test
    public void aValueOutOfMinusTwentyToNineteenIsRefused() {
        assertEquals(Integer.valueOf(-20), DataPathService.threadNice("-20", null));
        assertEquals(Integer.valueOf(19), DataPathService.threadNice("19", null));
        assertEquals(Integer.valueOf(DataPathService.DEFAULT_THREAD_NICE), DataPathService.threadNice("-21", null));
        assertEquals(Integer.valueOf(DataPathService.DEFAULT_THREAD_NICE), DataPathService.threadNice("20", null));
        assertEquals(Integer.valueOf(DataPathService.DEFAULT_THREAD_NICE), DataPathService.threadNice("", "high"));
    }
}
