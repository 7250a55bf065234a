package org.overlaygate.core.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Native;

/**
 * Which of the sockets sharing a UDP port (SO_REUSEPORT) receives a datagram: small ones on the
 * first, the others spread over the rest by their source port. A classic BPF program the kernel
 * runs for each datagram (SO_ATTACH_REUSEPORT_CBPF, Linux 4.5), on the group of sockets.
 *
 * <p>Why: left to the kernel's hash of addresses and ports, a ping or a TCP ACK lands on the socket
 * of a bulk flow now and then (one time in four with four sockets) and waits behind the megabytes
 * of it that socket holds. Small datagrams (at most {@value UdpSocket#SMALL_DATAGRAM_BYTES} bytes of UDP
 * payload: an inner frame of some 240 bytes, room for pings, ACKs with SACK blocks, keystrokes, DNS
 * and other small requests) are what latency-bound traffic sends
 * and never what a bulk flow is made of, so giving them a socket of their own keeps the two apart
 * whatever the ports. The rest go by the outer source port, which is the inner flow's hash (the
 * sending side's pool), so a bulk flow keeps to one socket and so to its order.
 *
 * <p>The cost: a flow's small datagrams may overtake its large ones (the last, short segment of a
 * TCP write, when the stream's socket holds a queue), which TCP takes as reordering (RACK waits a
 * quarter of a round trip before it calls a segment lost); and all small datagrams share one
 * socket's thread, so a flood of small packets no longer spreads over the others.
 *
 * <p>The kernel runs the program with the packet's data at the UDP payload; the outer IP header
 * is reached at the negative offset {@code SKF_NET_OFF}. A result beyond the group's sockets (none
 * here) makes the kernel fall back to its hash.
 */
final class SmallDatagramSteering {
    private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
    /** Loads relative to the network header (linux/filter.h). */
    private static final int SKF_NET_OFF = -0x100000;
    // classic BPF opcodes (linux/bpf_common.h)
    private static final int BPF_LD = 0x00;
    private static final int BPF_LDX = 0x01;
    private static final int BPF_ALU = 0x04;
    private static final int BPF_JMP = 0x05;
    private static final int BPF_RET = 0x06;
    private static final int BPF_MISC = 0x07;
    private static final int BPF_W = 0x00;
    private static final int BPF_H = 0x08;
    private static final int BPF_B = 0x10;
    private static final int BPF_ABS = 0x20;
    private static final int BPF_IND = 0x40;
    private static final int BPF_LEN = 0x80;
    private static final int BPF_K = 0x00;
    private static final int BPF_A = 0x10;
    private static final int BPF_AND = 0x50;
    private static final int BPF_LSH = 0x60;
    private static final int BPF_ADD = 0x00;
    private static final int BPF_MOD = 0x90;
    private static final int BPF_JGT = 0x20;
    private static final int BPF_TAX = 0x00;
    /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
    private static final int INSTRUCTION_BYTES = 8;
    /** struct sock_fprog on LP64: u16 len, padding, pointer. */
    private static final int FPROG_BYTES = 16;

    private SmallDatagramSteering() {
    }

    /**
     * Attaches the program to the group {@code member} belongs to, of {@code sockets} sockets
     * (2 or more) bound in order: index 0 takes the small datagrams.
     *
     * @throws IOException with the kernel's reason when it refuses
     */
    static void attach(IpSocket member, int sockets) throws IOException {
        if (sockets < 2) {
            throw new IllegalArgumentException("steering needs two sockets or more, not " + sockets);
        }
        ByteBuffer program = program(sockets);
        ByteBuffer fprog = ByteBuffer.allocateDirect(FPROG_BYTES).order(ByteOrder.nativeOrder());
        fprog.putShort(0, (short) (program.capacity() / INSTRUCTION_BYTES));
        fprog.putLong(8, LibC.addressOf(program));
        member.enter();
        try {
            if (LibC.setsockopt(member.fd, LibC.SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, LibC.addressOf(fprog), FPROG_BYTES) < 0) {
                throw new IOException("cannot steer small datagrams to a socket of their own: SO_ATTACH_REUSEPORT_CBPF: "
                        + LibC.errorText(Native.getLastError()));
            }
        } finally {
            member.exit();
        }
    }

    /** The program for a group of {@code sockets}, as the kernel takes it (struct sock_filter[]). */
    static ByteBuffer program(int sockets) {
        int[][] code = {
            {BPF_LD | BPF_W | BPF_LEN, 0, 0, 0}, // A = UDP payload length
            {BPF_JMP | BPF_JGT | BPF_K, 1, 0, UdpSocket.SMALL_DATAGRAM_BYTES}, // large: on to the hash
            {BPF_RET | BPF_K, 0, 0, 0}, // small: the first socket
            {BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_NET_OFF}, // A = IPv4 version and header length
            {BPF_ALU | BPF_AND | BPF_K, 0, 0, 0x0f},
            {BPF_ALU | BPF_LSH | BPF_K, 0, 0, 2}, // the header's bytes
            {BPF_MISC | BPF_TAX, 0, 0, 0}, // X = the UDP header's offset
            {BPF_LD | BPF_H | BPF_IND, 0, 0, SKF_NET_OFF}, // A = UDP source port
            {BPF_ALU | BPF_MOD | BPF_K, 0, 0, sockets - 1},
            {BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1}, // one of the others
            {BPF_RET | BPF_A, 0, 0, 0},
        };
        ByteBuffer program = ByteBuffer.allocateDirect(code.length * INSTRUCTION_BYTES).order(ByteOrder.nativeOrder());
        for (int i = 0; i < code.length; i++) {
            int at = i * INSTRUCTION_BYTES;
            program.putShort(at, (short) code[i][0]);
            program.put(at + 2, (byte) code[i][1]);
            program.put(at + 3, (byte) code[i][2]);
            program.putInt(at + 4, code[i][3]);
        }
        return program;
    }
}
