package org.overlaygate.varpd.proxy;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.Test;
import org.overlaygate.api.MacAddress;

/**
 * Seeded random mutations of the reference frames (and their tagged variants): nothing throws,
 * whatever the bytes and whatever the buffer, every parser agrees with the others, and whatever
 * parses can be answered and announced without throwing, giving well-formed frames. Half the
 * mutated frames get a right ICMPv6 checksum again, so that the checks behind it are reached.
 * A failure names the seed and round, and the frame in hex.
 */
public class FuzzTest {
    private static final long[] SEEDS = {1L, 0x5EEDL, 20261130L};
    private static final int ROUNDS_PER_SEED = 60_000;
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x06, 0x08, 0x0e, 0x3a, 0x40, 0x60, 0x7f, 0x80, 0x81, 0x86, 0x87, 0x88,
        0xdd, 0xfe, 0xff};

    @Test
    public void mutatedReferenceFramesNeverThrow() {
        List<byte[]> references = new ArrayList<>();
        for (String name : Fixtures.names()) {
            references.add(Fixtures.frame(name));
            references.add(Fixtures.frame(name, Fixtures.TCI));
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            for (int round = 0; round < ROUNDS_PER_SEED; round++) {
                byte[] frame = mutate(rnd, references.get(rnd.nextInt(references.size())));
                try {
                    outcomes.merge(exercise(rnd, frame), 1, Integer::sum);
                } catch (Throwable t) {
                    throw new AssertionError("seed " + seed + " round " + round + " frame " + Fixtures.hex(frame) + ": " + t, t);
                }
            }
        }
        StringBuilder report = new StringBuilder("fuzz outcomes over " + SEEDS.length * ROUNDS_PER_SEED + " frames:\n");
        outcomes.forEach((outcome, n) -> report.append(String.format("  %-28s %7d%n", outcome, n)));
        System.out.print(report);
        // The mutations reach deep: every refusal a frame can earn from the dispatcher, and every
        // kind of query, comes out of them.
        List<String> missing = new ArrayList<>();
        for (Field field : Refusal.class.getFields()) {
            String reason;
            try {
                reason = (String) field.get(null);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            boolean onlyFromFamilyParsers = reason.equals(Refusal.ETH_NOT_ARP) || reason.equals(Refusal.ETH_NOT_IPV6);
            boolean builderOnly = !reason.matches("(eth|arp|ns)_.*");
            if (!onlyFromFamilyParsers && !builderOnly && !outcomes.containsKey(reason)) {
                missing.add(reason);
            }
        }
        assertTrue("not reached: " + missing + "\n" + report, missing.isEmpty());
        for (QueryKind kind : QueryKind.values()) {
            assertTrue(kind + " reached\n" + report, outcomes.keySet().stream().anyMatch(o -> o.startsWith("ok " + kind)));
        }
    }

    private static byte[] mutate(Random rnd, byte[] reference) {
        byte[] f = reference.clone();
        for (int ops = 1 + rnd.nextInt(4); ops > 0; ops--) {
            switch (rnd.nextInt(10)) {
                case 0: // any octet, any value
                    if (f.length > 0) {
                        f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                    }
                    break;
                case 1: // an octet of the headers, a value that means something somewhere
                    if (f.length > 0) {
                        f[rnd.nextInt(Math.min(f.length, 90))] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
                    }
                    break;
                case 2: // cut
                    f = Arrays.copyOf(f, rnd.nextInt(f.length + 1));
                    break;
                case 3: // grow
                    int extra = 1 + rnd.nextInt(16);
                    f = Arrays.copyOf(f, f.length + extra);
                    for (int i = f.length - extra; i < f.length; i++) {
                        f[i] = (byte) rnd.nextInt(256);
                    }
                    break;
                case 4: { // insert an octet
                    int at = rnd.nextInt(f.length + 1);
                    byte[] g = new byte[f.length + 1];
                    System.arraycopy(f, 0, g, 0, at);
                    g[at] = (byte) rnd.nextInt(256);
                    System.arraycopy(f, at, g, at + 1, f.length - at);
                    f = g;
                    break;
                }
                case 5: // delete an octet
                    if (f.length > 0) {
                        int at = rnd.nextInt(f.length);
                        byte[] g = new byte[f.length - 1];
                        System.arraycopy(f, 0, g, 0, at);
                        System.arraycopy(f, at + 1, g, at, f.length - at - 1);
                        f = g;
                    }
                    break;
                case 6: // a field of 16 bits: lengths, types, ports of call
                    if (f.length > 1) {
                        int at = rnd.nextInt(f.length - 1);
                        int v = rnd.nextBoolean() ? rnd.nextInt(0x10000) : new int[] {0, 0x8100, 0x88a8, 0x0806, 0x86dd, 0xffff}[rnd.nextInt(6)];
                        f[at] = (byte) (v >>> 8);
                        f[at + 1] = (byte) v;
                    }
                    break;
                case 7: // one more tag
                    if (f.length >= 12) {
                        f = Fixtures.tagged(f, rnd.nextInt(0x10000));
                    }
                    break;
                case 8: // an address's worth of zeros (::, 0.0.0.0, the zero MAC), or ::1
                    if (f.length >= 16) {
                        int at = rnd.nextInt(f.length - 15);
                        Arrays.fill(f, at, at + 16, (byte) 0);
                        f[at + 15] = (byte) (rnd.nextBoolean() ? 0 : 1);
                    }
                    break;
                default: // one more neighbour discovery option, the IPv6 payload length grown to hold it
                    f = withOption(rnd, f);
                    break;
            }
        }
        return rnd.nextBoolean() ? Fixtures.fixChecksum(f) : f;
    }

    private static byte[] withOption(Random rnd, byte[] f) {
        if (f.length < 14 || f.length < Fixtures.ipOffset(f) + 40) {
            return f;
        }
        int ip = Fixtures.ipOffset(f);
        int units = rnd.nextInt(3);
        byte[] option = new byte[Math.max(units, 1) * 8];
        option[0] = (byte) new int[] {1, 1, 2, 14, rnd.nextInt(256)}[rnd.nextInt(5)];
        option[1] = (byte) units;
        MacAddress.write(option, 2, rnd.nextBoolean() ? Fixtures.MAC_A : rnd.nextLong() & 0xFFFF_FFFF_FFFFL);
        byte[] g = Arrays.copyOf(f, f.length + option.length);
        System.arraycopy(option, 0, g, f.length, option.length);
        int length = (((g[ip + 4] & 0xFF) << 8) | (g[ip + 5] & 0xFF)) + option.length;
        g[ip + 4] = (byte) (length >>> 8);
        g[ip + 5] = (byte) length;
        return g;
    }

    /** Runs everything on the frame; returns "ok KIND" or the refusal. */
    private static String exercise(Random rnd, byte[] frame) {
        byte[] original = frame.clone();
        Result<AddressQuery> fromArray = ProxyFrames.parse(frame);
        ByteBuffer buffer = someBuffer(rnd, frame);
        int position = buffer.position();
        int limit = buffer.limit();
        Result<AddressQuery> fromBuffer = ProxyFrames.parse(buffer);
        assertEquals(fromArray.toString(), fromBuffer.toString());
        Result<ArpRequest> arp = Arp.parse(buffer);
        Result<NeighborSolicitation> ndp = Ndp.parse(buffer);
        assertEquals(position, buffer.position());
        assertEquals(limit, buffer.limit());
        assertArrayEquals("the frame is not changed", original, frame);
        if (fromArray.ok()) {
            assertEquals(fromArray.toString(), (fromArray.value() instanceof ArpRequest ? arp : ndp).toString());
        }
        if (!fromArray.ok()) {
            return fromArray.refusal();
        }
        AddressQuery q = fromArray.value();
        if (q.kind() == QueryKind.RESOLUTION) {
            assertTrue(q.toString(), q.requesterMac() != 0 && !MacAddress.isGroup(q.requesterMac()));
        }
        long[] macs = {Fixtures.MAC_B, q.requesterMac(), rnd.nextLong(), rnd.nextLong() & 0xFFFF_FFFF_FFFFL, 0, MacAddress.BROADCAST};
        long mac = macs[rnd.nextInt(macs.length)];
        Result<byte[]> reply = ProxyFrames.reply(q, mac);
        if (reply.ok()) {
            checkReply(q, mac, reply.value());
        }
        Result<byte[]> announcement = ProxyFrames.announce(q.target(), mac, q.tci());
        if (announcement.ok() && q instanceof NeighborSolicitation) {
            assertTrue(Fixtures.icmpv6ChecksumValid(announcement.value()));
        }
        return "ok " + q.kind() + (q instanceof ArpRequest ? " arp" : " ns");
    }

    private static void checkReply(AddressQuery q, long mac, byte[] reply) {
        assertEquals(QueryKind.RESOLUTION, q.kind());
        assertEquals(q.requesterMac(), MacAddress.read(reply, 0));
        assertEquals(mac, MacAddress.read(reply, 6));
        int header = q.tagged() ? 18 : 14;
        if (q.tagged()) {
            assertEquals(q.tci(), ((reply[14] & 0xFF) << 8) | (reply[15] & 0xFF));
        }
        if (q instanceof ArpRequest) {
            assertEquals(header + 28, reply.length);
            assertEquals(Refusal.ARP_NOT_REQUEST, ProxyFrames.parse(reply).refusal());
        } else {
            assertEquals(header + 72, reply.length);
            assertTrue(Fixtures.icmpv6ChecksumValid(reply));
            assertEquals(Refusal.NS_NOT_SOLICITATION, ProxyFrames.parse(reply).refusal());
        }
    }

    /** The frame in a heap, direct or read-only buffer, at an offset, in either byte order. */
    private static ByteBuffer someBuffer(Random rnd, byte[] frame) {
        int offset = rnd.nextInt(8);
        int slack = rnd.nextInt(8);
        ByteBuffer b = rnd.nextBoolean() ? ByteBuffer.allocateDirect(offset + frame.length + slack)
                : ByteBuffer.allocate(offset + frame.length + slack);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) rnd.nextInt(256));
        }
        b.position(offset);
        b.put(frame);
        b.limit(offset + frame.length).position(offset);
        b.order(rnd.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        return rnd.nextBoolean() ? b.asReadOnlyBuffer().order(b.order()) : b;
    }
}
