package org.overlaygate.katar.server.net;

import java.util.List;

import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;

/**
 * What the protocol server asks of the mapping service. The {@code cached} methods run on the I/O
 * thread and must answer from memory or return null; the others run on worker threads and may
 * block on the database. An exception from them becomes a TRYAGAIN answer, never a dead thread.
 */
public interface Backend {
    Vl2Ack cachedVl2(long vnetId, long mac);

    Vl2Ack loadVl2(long vnetId, long mac) throws Exception;

    Vl3Ack cachedVl3(long vnetId, byte[] ip);

    Vl3Ack loadVl3(long vnetId, byte[] ip) throws Exception;

    /** At most {@code maxBytes} of LOG_ACK payload for the host with this underlay address. */
    LogAck log(byte[] hostIp, long maxBytes) throws Exception;

    /**
     * Removes the log entries with these ids whose host's underlay address (16 bytes, as on the
     * wire) {@code mayRemove} accepts; of any host when it is null (a server that trusts the
     * address a LOG_REQ names).
     */
    void logRemove(java.util.function.Predicate<byte[]> mayRemove, List<byte[]> ids) throws Exception;

    BulkAck bulk(BulkRequest request, int maxBytes) throws Exception;
}
