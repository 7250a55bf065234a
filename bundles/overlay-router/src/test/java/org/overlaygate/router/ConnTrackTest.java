package org.overlaygate.router;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** Connection tracking on an injected clock: ports, replies, timeouts by protocol and TCP state, the bound. */
public class ConnTrackTest {
    static final long S = 1_000_000_000L;
    final AtomicLong now = new AtomicLong(10 * S);
    final ConnTrack t = new ConnTrack(now::get);
    static final int IN = 0x0A01_0005;
    static final int REMOTE = 0x0A02_0032;

    void advance(long nanos) {
        now.addAndGet(nanos);
        t.expire();
    }

    @Test
    public void aConnectionKeepsItsPortAndRepliesFindIt() {
        int p = t.outbound(17, IN, 5000, REMOTE, 53, 0);
        assertEquals(p, t.outbound(17, IN, 5000, REMOTE, 53, 0));
        assertNotEquals(p, t.outbound(17, IN, 5001, REMOTE, 53, 0));
        int e = t.inbound(17, p, REMOTE, 53, 0);
        assertEquals(IN, t.insideIp(e));
        assertEquals(5000, t.insidePort(e));
        assertEquals("from another remote: not this connection", -1, t.inbound(17, p, REMOTE + 1, 53, 0));
        assertEquals("from another remote port", -1, t.inbound(17, p, REMOTE, 54, 0));
        assertEquals("another protocol", -1, t.inbound(6, p, REMOTE, 53, 0));
    }

    @Test
    public void udpLivesThirtySecondsUnansweredAndThreeMinutesAnswered() {
        int quiet = t.outbound(17, IN, 1, REMOTE, 53, 0);
        int answered = t.outbound(17, IN, 2, REMOTE, 53, 0);
        t.inbound(17, answered, REMOTE, 53, 0);
        advance(29 * S);
        assertEquals(2, t.size());
        advance(S);
        assertEquals(-1, t.inbound(17, quiet, REMOTE, 53, 0));
        assertEquals(1, t.size());
        advance(149 * S);
        assertEquals("answered: 180 s from the answer", 1, t.size());
        advance(S);
        assertEquals(0, t.size());
    }

    @Test
    public void tcpLivesByItsState() {
        int p = t.outbound(6, IN, 40000, REMOTE, 80, 0x02); // SYN
        advance(119 * S);
        t.inbound(6, p, REMOTE, 80, 0x12); // SYN-ACK: established
        advance(7000 * S);
        assertEquals("established: 7440 s", 1, t.size());
        t.outbound(6, IN, 40000, REMOTE, 80, 0x11); // FIN
        advance(119 * S);
        assertEquals(1, t.size());
        advance(S);
        assertEquals(0, t.size());

        int q = t.outbound(6, IN, 40001, REMOTE, 80, 0x02);
        t.inbound(6, q, REMOTE, 80, 0x04); // RST
        advance(10 * S);
        assertEquals(0, t.size());

        t.outbound(6, IN, 40002, REMOTE, 80, 0x02);
        advance(120 * S);
        assertEquals("a SYN never answered: 120 s", 0, t.size());
    }

    @Test
    public void theTableIsBoundedAndPortsComeBack() {
        for (int i = 0; i < ConnTrack.MAX; i++) {
            assertNotEquals(-1, t.outbound(17, IN, i, REMOTE, 53, 0));
        }
        assertEquals("full", -1, t.outbound(17, IN, 99_999, REMOTE + 1, 53, 0));
        assertEquals("an existing connection goes on", ConnTrack.FIRST_PORT, t.outbound(17, IN, 0, REMOTE, 53, 0));
        advance(31 * S);
        assertEquals(0, t.size());
        int p = t.outbound(17, IN, 1, REMOTE, 53, 0);
        assertEquals(ConnTrack.FIRST_PORT + ConnTrack.MAX, p);
    }

    @Test
    public void connectionsComeBackOnTheirPortsWithWhatWasLeftOfTheirLives() throws Exception {
        int udp = t.outbound(17, IN, 5000, REMOTE, 53, 0);
        t.inbound(17, udp, REMOTE, 53, 0); // answered: 180 s
        int tcp = t.outbound(6, IN, 40000, REMOTE, 80, 0x02);
        t.inbound(6, tcp, REMOTE, 80, 0x12); // established: 7440 s
        int ping = t.outbound(1, IN, 77, REMOTE, 0, 0); // 30 s
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        t.writeTo(new java.io.DataOutputStream(bytes));

        AtomicLong later = new AtomicLong(999 * S); // another clock: a new JVM's nanoTime
        ConnTrack next = new ConnTrack(later::get);
        next.outbound(17, IN, 6000, REMOTE, 53, 0); // takes the first port again, if it is free
        int restored = next.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), 40 * S);
        assertEquals("the ping had 30 s: gone after 40; and the UDP connection's port is taken by then", 1, restored);
        int e = next.inbound(6, tcp, REMOTE, 80, 0);
        assertEquals("a reply to the TCP connection's outside port finds it", IN, next.insideIp(e));
        assertEquals(40000, next.insidePort(e));
        assertEquals("the same outside port outbound", tcp, next.outbound(6, IN, 40000, REMOTE, 80, 0x10));
        assertEquals(-1, next.inbound(1, ping, REMOTE, 0, 0));
        assertEquals(2, next.size());

        byte[] bad = bytes.toByteArray();
        bad[0] = 0x7F; // a count beyond the table
        assertEquals("bad connection count 2130706435",
                org.junit.Assert.assertThrows(java.io.IOException.class,
                        () -> new ConnTrack(later::get).readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bad)), 0)).getMessage());
    }

    @Test
    public void aRestoredConnectionKeepsItsStateAndAges() throws Exception {
        int tcp = t.outbound(6, IN, 40000, REMOTE, 80, 0x02); // SYN sent: 120 s
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        t.writeTo(new java.io.DataOutputStream(bytes));
        ConnTrack next = new ConnTrack(now::get);
        assertEquals(1, next.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), 100 * S));
        now.addAndGet(21 * S);
        next.expire();
        assertEquals("120 s from the SYN, 100 of them before the restart", -1, next.inbound(6, tcp, REMOTE, 80, 0x12));
    }
}
