package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CountDownLatch;

/**
 * A fake socket for receive-loop tests: {@link #receive()} blocks until the source is closed, then
 * reports it closed; it never describes a packet. Tests override what they exercise.
 */
class BlockingSource implements PacketSource {
    final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public int receive() throws IOException {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ClosedChannelException();
    }

    @Override
    public ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(16);
    }

    @Override
    public int offset(int i) {
        return 0;
    }

    @Override
    public int length(int i) {
        return 0;
    }

    @Override
    public int segmentSize(int i) {
        return 0;
    }

    @Override
    public InetAddress sender(int i) {
        return null;
    }

    @Override
    public int senderPort(int i) {
        return 0;
    }

    @Override
    public String unreadableReason() {
        return "unreadable";
    }

    @Override
    public void releaseBuffers() {
        // nothing native to give back
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
