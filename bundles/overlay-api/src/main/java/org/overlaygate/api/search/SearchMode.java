package org.overlaygate.api.search;

/** How a search plugin answers: one fixed destination, or per-destination lookups. */
public enum SearchMode {
    /** One fixed destination for everything; no target cache. */
    POINT,
    /** Asynchronous lookups of each missed destination; MAC-keyed target cache. */
    DYNAMIC
}
