package org.overlaygate.katar.server.store;

import java.nio.ByteBuffer;

/** Cache keys (and change-notification tokens) of VL2 and VL3 answers. */
public final class Keys {
    private Keys() {
    }

    /** The VL2 answer of a MAC in a vnet. */
    public record Vl2Key(long vnetId, long mac) {
        String token() {
            return "2/" + vnetId + "/" + Long.toHexString(mac);
        }
    }

    /** The VL3 answer of an IP (16-byte wire form, held as two longs) in a vnet. */
    public record Vl3Key(long vnetId, long high, long low) {
        public static Vl3Key of(long vnetId, byte[] ip) {
            ByteBuffer b = ByteBuffer.wrap(ip);
            return new Vl3Key(vnetId, b.getLong(0), b.getLong(8));
        }

        String token() {
            return "3/" + vnetId + "/" + Long.toHexString(high) + "/" + Long.toHexString(low);
        }
    }

    /** Parses a token written by {@code token()}; null when it is not one. */
    static Object parse(String token) {
        String[] p = token.split("/");
        try {
            if (p.length == 3 && p[0].equals("2")) {
                return new Vl2Key(Long.parseLong(p[1]), Long.parseUnsignedLong(p[2], 16));
            }
            if (p.length == 4 && p[0].equals("3")) {
                return new Vl3Key(Long.parseLong(p[1]), Long.parseUnsignedLong(p[2], 16), Long.parseUnsignedLong(p[3], 16));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
