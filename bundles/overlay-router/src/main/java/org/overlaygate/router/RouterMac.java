package org.overlaygate.router;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The MAC a router has by default, derived from its name alone (the first six bytes of the
 * name's SHA-256, made unicast and locally administered): every host that defines the same router
 * agrees on its MAC without being told, so the gateway is the same on every host and a VM that
 * moves keeps a valid neighbour entry for it.
 */
final class RouterMac {
    private RouterMac() {
    }

    static long of(String routerName) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(("overlaygate-router:" + routerName).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        h[0] = (byte) ((h[0] & 0xFC) | 0x02);
        ByteBuffer b = ByteBuffer.wrap(h);
        return ((b.getInt(0) & 0xFFFF_FFFFL) << 16) | (b.getShort(4) & 0xFFFFL);
    }
}
