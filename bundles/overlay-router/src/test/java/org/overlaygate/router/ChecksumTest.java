package org.overlaygate.router;

import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.Test;

/** RFC 1071 sums and RFC 1624 updates, against {@link Wire}'s independent checksum. */
public class ChecksumTest {
    @Test
    public void theSumAgreesWithAnIndependentOneForOddAndEvenLengths() {
        Random r = new Random(1624);
        for (int n = 0; n < 2000; n++) {
            byte[] data = new byte[r.nextInt(300)];
            r.nextBytes(data);
            assertEquals(Wire.checksum(data, 0, data.length, 0), Checksum.of(ByteBuffer.wrap(data), 0, data.length));
        }
    }

    @Test
    public void anIncrementalUpdateEqualsARecomputation() {
        Random r = new Random(1812);
        for (int n = 0; n < 20000; n++) {
            byte[] header = new byte[20];
            r.nextBytes(header);
            header[10] = 0;
            header[11] = 0;
            int sum = Wire.checksum(header, 0, 20, 0);
            Wire.put16(header, 10, sum);
            int word = 8 + 2 * r.nextInt(4); // any word but the checksum itself
            if (word == 10) {
                word = 12;
            }
            int old = Wire.u16(header, word);
            int neu = r.nextInt(0x10000);
            Wire.put16(header, word, neu);
            int updated = Checksum.update(sum, old, neu);
            Wire.put16(header, 10, updated);
            assertEquals("a header with the updated checksum verifies", 0, Wire.checksum(header, 0, 20, 0));
        }
    }

    @Test
    public void rfc1624sExampleWhereEquation2Fails() {
        // RFC 1624 section 3: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285; the right answer is 0x0000, not 0xFFFF
        assertEquals(0x0000, Checksum.update(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    public void decrementingTheTtlFromEveryValue() {
        for (int ttl = 2; ttl < 256; ttl++) {
            byte[] f = Wire.ipv4(1, 2, "10.1.0.5", "10.2.0.7", ttl, 17, true, new byte[8]);
            ByteBuffer b = ByteBuffer.wrap(f);
            int old = Wire.u16(f, 22);
            f[22] = (byte) (ttl - 1);
            Wire.put16(f, 24, Checksum.update(Wire.u16(f, 24), old, old - 0x100));
            assertEquals("ttl " + ttl, 0, Wire.checksum(f, 14, 20, 0));
            assertEquals(0, Checksum.of(b, 14, 20));
        }
    }
}
