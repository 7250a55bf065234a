package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import org.junit.Test;

/** The pieces that need no privileges: buffer addresses, bounds, IPv4 header checks. */
public class NativeSupportTest {

    @Test
    public void addressOfIsTheBaseAddressWhateverThePosition() {
        ByteBuffer b = ByteBuffer.allocateDirect(256);
        long base = Pointer.nativeValue(Native.getDirectBufferPointer(b));
        assertEquals(base, LibC.addressOf(b));
        b.position(17);
        assertEquals("position must not shift the address", base, LibC.addressOf(b));
        ByteBuffer slice = b.slice();
        assertEquals("a slice starts at its own first byte", base + 17, LibC.addressOf(slice));
        assertEquals(17, b.position());
    }

    @Test
    public void addressesReachTheBufferThroughNativeCalls() {
        ByteBuffer src = ByteBuffer.allocateDirect(64);
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        for (int i = 0; i < 64; i++) {
            src.put(i, (byte) i);
        }
        LibC.memcpy(NativeChannel.checkedAddress(dst, 10, 20) + 10, NativeChannel.checkedAddress(src, 5, 20) + 5, 20);
        for (int i = 0; i < 64; i++) {
            assertEquals(i >= 10 && i < 30 ? i - 5 : 0, dst.get(i));
        }
    }

    @Test
    public void boundsAndHeapBuffersAreRefused() {
        ByteBuffer b = ByteBuffer.allocateDirect(100);
        NativeChannel.checkedAddress(b, 0, 100);
        NativeChannel.checkedAddress(b, 100, 0);
        for (int[] bad : new int[][] {{-1, 10}, {0, 101}, {50, 51}, {101, 0}, {10, -1}, {Integer.MAX_VALUE, 10}}) {
            try {
                NativeChannel.checkedAddress(b, bad[0], bad[1]);
                fail("accepted offset " + bad[0] + " length " + bad[1]);
            } catch (IndexOutOfBoundsException expected) {
                // refused before any native call could touch foreign memory
            }
        }
        try {
            NativeChannel.checkedAddress(ByteBuffer.allocate(100), 0, 10);
            fail("accepted a heap buffer");
        } catch (IllegalArgumentException expected) {
            assertEquals("not a direct buffer", expected.getMessage());
        }
    }

    private static ByteBuffer ipv4(int versionIhl, int totalLength, int length) {
        ByteBuffer b = ByteBuffer.allocateDirect(length + 3);
        b.put(3, (byte) versionIhl);
        b.putShort(3 + 2, (short) totalLength);
        return b;
    }

    @Test
    public void malformedIpv4HeadersAreRecognised() {
        assertEquals(20, RawIpSocket.ipv4HeaderLength(ipv4(0x45, 60, 60), 3, 60));
        assertEquals(24, RawIpSocket.ipv4HeaderLength(ipv4(0x46, 24, 24), 3, 24));
        assertEquals("shorter than a header", -1, RawIpSocket.ipv4HeaderLength(ipv4(0x45, 19, 19), 3, 19));
        assertEquals("version 6", -1, RawIpSocket.ipv4HeaderLength(ipv4(0x65, 60, 60), 3, 60));
        assertEquals("IHL 4", -1, RawIpSocket.ipv4HeaderLength(ipv4(0x44, 60, 60), 3, 60));
        assertEquals("IHL past the packet", -1, RawIpSocket.ipv4HeaderLength(ipv4(0x4F, 40, 40), 3, 40));
        assertEquals("total length below the header", -1, RawIpSocket.ipv4HeaderLength(ipv4(0x45, 10, 60), 3, 60));
        assertEquals("total length past the packet", -1, RawIpSocket.ipv4HeaderLength(ipv4(0x45, 61, 60), 3, 60));
        ByteBuffer little = ipv4(0x45, 60, 60).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals("the buffer's byte order does not matter", 20, RawIpSocket.ipv4HeaderLength(little, 3, 60));
    }

    @Test
    public void ipv4Formatting() {
        assertEquals("10.0.0.1", RawIpSocket.format(0x0A000001));
        assertEquals("255.254.253.252", RawIpSocket.format(0xFFFEFDFC));
    }
}
