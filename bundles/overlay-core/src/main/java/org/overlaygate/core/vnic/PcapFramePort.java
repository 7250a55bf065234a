package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.overlaygate.core.os.PcapPort;

/** An existing interface attached through pcap as the far side of a VNIC (inbound frames only). */
public final class PcapFramePort implements FramePort {
    private final PcapPort pcap;

    private PcapFramePort(PcapPort pcap) {
        this.pcap = pcap;
    }

    public static PcapFramePort open(String interfaceName) throws IOException {
        return new PcapFramePort(PcapPort.open(interfaceName));
    }

    @Override
    public String osName() {
        return pcap.name();
    }

    @Override
    public long macAddress() throws IOException {
        return pcap.macAddress();
    }

    @Override
    public int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        return pcap.read(direct, offset, timeoutMillis);
    }

    @Override
    public String write(ByteBuffer direct, int offset, int length) throws IOException {
        return pcap.write(direct, offset, length);
    }

    @Override
    public long oversizedReads() {
        return pcap.droppedReads();
    }

    @Override
    public void close() {
        pcap.close();
    }
}
