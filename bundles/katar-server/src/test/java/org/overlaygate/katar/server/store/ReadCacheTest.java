package org.overlaygate.katar.server.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.overlaygate.katar.server.store.Keys.Vl2Key;

public class ReadCacheTest {
    @Test
    public void answersWithinTheBoundAndNeverAfter() throws Exception {
        long[] now = {5_000_000_000L};
        ReadCache c = new ReadCache(10, 1000, () -> now[0]);
        Vl2Key k = new Vl2Key(1, 2);
        assertTrue(c.put(k, "answer", c.generation()));
        now[0] += 999_000_000L;
        assertEquals("within the 1 s bound: served", "answer", c.get(k));
        now[0] += 1_000_000L;
        assertNull("as old as the 1 s bound: not served", c.get(k));
        assertEquals(0, c.size());
    }

    @Test
    public void aLoadOverlappingAnInvalidationIsNotCached() {
        ReadCache c = new ReadCache(10, 60_000);
        Vl2Key k = new Vl2Key(1, 2);
        long gen = c.generation(); // a load starts and reads the old row ...
        c.invalidate(List.of(k)); // ... a write commits and invalidates ...
        assertFalse(c.put(k, "old", gen)); // ... the load's answer is not kept
        assertNull(c.get(k));
        assertTrue(c.put(k, "new", c.generation()));
        assertEquals("new", c.get(k));
    }

    @Test
    public void boundedLeastRecentlyUsedGoesFirst() {
        ReadCache c = new ReadCache(3, 60_000);
        for (int i = 0; i < 3; i++) {
            c.put(new Vl2Key(1, i), i, c.generation());
        }
        c.get(new Vl2Key(1, 0)); // 0 is now the most recent
        c.put(new Vl2Key(1, 3), 3, c.generation());
        assertEquals(3, c.size());
        assertNull(c.get(new Vl2Key(1, 1)));
        assertEquals(0, c.get(new Vl2Key(1, 0)));
        assertEquals(1L, (long) c.stats().get("cache_evicted"));
    }

    @Test
    public void sizeZeroCachesNothing() {
        ReadCache c = new ReadCache(0, 60_000);
        assertFalse(c.put(new Vl2Key(1, 1), "x", c.generation()));
        assertNull(c.get(new Vl2Key(1, 1)));
    }

    @Test
    public void notificationsInvalidateNamedKeysOrEverything() {
        ReadCache cache = new ReadCache(10, 60_000);
        MappingStore store = new MappingStore(null, cache);
        Vl2Key a = new Vl2Key(42, 0x020820000001L);
        Vl2Key b = new Vl2Key(42, 0x020820000002L);
        Keys.Vl3Key v3 = Keys.Vl3Key.of(42, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 1});
        cache.put(a, "a", cache.generation());
        cache.put(b, "b", cache.generation());
        cache.put(v3, "v3", cache.generation());
        store.applyNotification(a.token() + " " + v3.token() + " junk 9/9");
        assertNull(cache.get(a));
        assertNull(cache.get(v3));
        assertEquals("b", cache.get(b));
        store.applyNotification("*");
        assertEquals(0, cache.size());
    }

    @Test
    public void aSuspendedCacheServesAndKeepsNothingAndResumesEmpty() {
        ReadCache c = new ReadCache(10, 60_000);
        Vl2Key k = new Vl2Key(1, 2);
        c.put(k, "before", c.generation());
        long loadDuringSuspension = c.generation();
        c.suspend(); // the change feed is down
        assertNull("nothing served while suspended", c.get(k));
        assertFalse("nothing kept while suspended", c.put(k, "during", c.generation()));
        assertEquals(0, c.size());
        c.resume(); // the feed is back
        assertNull("resumed empty", c.get(k));
        assertFalse("a load begun before the resume is not kept", c.put(k, "old", loadDuringSuspension));
        assertTrue(c.put(k, "after", c.generation()));
        assertEquals("after", c.get(k));
        assertEquals(0L, (long) c.stats().get("cache_suspended"));
        assertEquals(1L, (long) c.stats().get("cache_bypassed"));
    }
}
