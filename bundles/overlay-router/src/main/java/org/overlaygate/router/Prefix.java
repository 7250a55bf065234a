package org.overlaygate.router;

/**
 * An address with a prefix length, as written ({@code 10.1.0.1/24}, {@code 2001:db8:1::1/64}),
 * held in the 128-bit form of {@link Ip}: an IPv4 prefix of length n is {@code ::ffff:0:0/96+n}.
 */
final class Prefix {
    final long hi;
    final long lo;
    /** In 128-bit terms. */
    final int length;
    final long maskHi;
    final long maskLo;

    Prefix(long hi, long lo, int length) {
        this.hi = hi;
        this.lo = lo;
        this.length = length;
        this.maskHi = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
        this.maskLo = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    /** Parses {@code ADDRESS/LENGTH} (a missing length is a host route). */
    static Prefix parse(String text) {
        int slash = text.indexOf('/');
        long[] a = Ip.parse(slash < 0 ? text : text.substring(0, slash));
        boolean v4 = Ip.isV4(a[0], a[1]);
        int max = v4 ? 32 : 128;
        int len = max;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                len = -1;
            }
            if (len < 0 || len > max) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "': 0-" + max);
            }
        }
        return new Prefix(a[0], a[1], v4 ? 96 + len : len);
    }

    boolean isV4() {
        return Ip.isV4(hi, lo) && length >= 96;
    }

    /** The length as written: 0-32 for IPv4. */
    int writtenLength() {
        return isV4() ? length - 96 : length;
    }

    boolean contains(long h, long l) {
        return ((h ^ hi) & maskHi) == 0 && ((l ^ lo) & maskLo) == 0;
    }

    /** The network: the address with the host bits cleared. */
    Prefix network() {
        return new Prefix(hi & maskHi, lo & maskLo, length);
    }

    /** The subnet's broadcast address (IPv4), for prefixes shorter than /31. */
    boolean isDirectedBroadcast(long h, long l) {
        if (!isV4() || length >= 127 || !contains(h, l)) {
            return false;
        }
        return (l | maskLo) == -1L;
    }

    String address() {
        return Ip.format(hi, lo);
    }

    @Override
    public String toString() {
        return address() + "/" + writtenLength();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix && ((Prefix) o).hi == hi && ((Prefix) o).lo == lo && ((Prefix) o).length == length;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) * 31 + length;
    }
}
