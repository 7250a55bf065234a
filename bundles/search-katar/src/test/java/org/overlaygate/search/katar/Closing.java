package org.overlaygate.search.katar;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed after it in the reverse order, whatever happened. */
final class Closing {
    private final List<AutoCloseable> open = new ArrayList<>();

    <T extends AutoCloseable> T later(T c) {
        open.add(c);
        return c;
    }

    /** Closes everything, newest first; the first failure is thrown once all were tried. */
    void closeAll() throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
