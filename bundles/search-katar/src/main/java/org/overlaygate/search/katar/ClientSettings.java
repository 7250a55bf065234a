package org.overlaygate.search.katar;

import java.time.Duration;

/**
 * The client's timing and bounds. {@link #DEFAULTS} are the protocol document's ("How a CN uses
 * it"); tests shorten them.
 *
 * @param resolveEveryMs how often the server name is resolved again
 * @param backoffMinMs first reconnect delay; doubled after each failure up to {@code backoffMaxMs}, with ±25 % jitter
 * @param backoffMaxMs longest reconnect delay
 * @param connectTimeoutMs TCP connect timeout
 * @param requestTimeoutMs a request unanswered this long tears its connection down and is retried on another
 * @param bulkTimeoutMs a BULK_REQ unanswered this long means the server does not know BULK
 * @param logMinMs shortest pause between two log polls
 * @param logMaxMs longest pause between two log polls (the pause is random in between)
 * @param logAgainMs pause before the next poll while entries keep coming
 * @param logBytes the LOG_REQ count: most payload bytes of one LOG_ACK
 * @param tryAgainMs pause before asking again after a TRYAGAIN answer (at most three times)
 * @param maxWaiting requests held while no server is reachable (the oldest are given up beyond)
 * @param maxOutstanding requests outstanding on one connection
 * @param bulkMaxEntries most mappings one BULK warm-up installs
 * @param lifetime how long a looked-up entry lives before the data path asks about it again (while in use)
 */
record ClientSettings(long resolveEveryMs, long backoffMinMs, long backoffMaxMs, int connectTimeoutMs, long requestTimeoutMs,
        long bulkTimeoutMs, long logMinMs, long logMaxMs, long logAgainMs, int logBytes, long tryAgainMs, int maxWaiting,
        int maxOutstanding, int bulkMaxEntries, Duration lifetime) {

    static final ClientSettings DEFAULTS = new ClientSettings(30_000, 1_000, 32_000, 5_000, 30_000, 2_000, 5_000, 10_000, 1_000,
            16 * 1024, 250, 4096, 1024, 16_384, Duration.ofSeconds(60));
}
