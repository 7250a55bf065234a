package org.overlaygate.varpd.dhcp;

import java.util.function.Consumer;

/**
 * The server's side of RFC 2131 for one network: what each client message gets, given the lease
 * table. DISCOVER gets an OFFER (nothing when the pool is exhausted); REQUEST an ACK or a NAK in
 * each of the client's states (SELECTING: only when it chose this server, identified by option 54;
 * INIT-REBOOT: option 50; RENEWING and REBINDING: ciaddr); INFORM an ACK without a lease time;
 * RELEASE and DECLINE change the table and get no answer. Messages through a relay (giaddr) are not
 * served. Counts through {@code events}. Pure apart from the table.
 */
final class Responder {
    private Responder() {
    }

    /**
     * @param reserved the client's reserved address (configured, or from the search plugin), or 0
     * @return the answer to send, or null
     */
    static DhcpReply.Answer answer(DhcpMessage m, LeaseTable table, int reserved, Consumer<String> events) {
        Scope scope = table.scope();
        if (m.giaddr != 0) {
            events.accept(DhcpEvents.RELAYED);
            return null;
        }
        switch (m.type) {
            case DhcpMessage.DISCOVER: {
                int a = table.offer(m.chaddr, reserved, m.requestedIp);
                if (a == 0) {
                    events.accept(DhcpEvents.POOL_EXHAUSTED);
                    return null;
                }
                events.accept(DhcpEvents.OFFERS);
                return new DhcpReply.Answer(DhcpMessage.OFFER, a, scope.leaseSeconds, null);
            }
            case DhcpMessage.REQUEST: {
                int address;
                if (m.serverId != 0) { // SELECTING
                    if (m.serverId != scope.server) {
                        table.withdrawOffer(m.chaddr);
                        events.accept(DhcpEvents.OTHER_SERVER);
                        return null;
                    }
                    address = m.requestedIp != 0 ? m.requestedIp : m.ciaddr;
                } else if (m.requestedIp != 0) { // INIT-REBOOT
                    address = m.requestedIp;
                } else if (m.ciaddr != 0) { // RENEWING (unicast) or REBINDING (broadcast)
                    address = m.ciaddr;
                } else {
                    events.accept(DhcpEvents.MALFORMED);
                    return null;
                }
                LeaseTable.Decision d = table.request(m.chaddr, reserved, address);
                if (!d.ack) {
                    events.accept(DhcpEvents.NAKS);
                    return DhcpReply.Answer.nak(d.reason);
                }
                events.accept(DhcpEvents.ACKS);
                return new DhcpReply.Answer(DhcpMessage.ACK, d.address, scope.leaseSeconds, null);
            }
            case DhcpMessage.INFORM:
                if (m.ciaddr == 0) {
                    events.accept(DhcpEvents.MALFORMED);
                    return null;
                }
                events.accept(DhcpEvents.INFORMS);
                return new DhcpReply.Answer(DhcpMessage.ACK, 0, -1, null);
            case DhcpMessage.RELEASE:
                if (table.release(m.chaddr, m.ciaddr)) {
                    events.accept(DhcpEvents.RELEASES);
                }
                return null;
            case DhcpMessage.DECLINE:
                if (table.decline(m.chaddr, m.requestedIp)) {
                    events.accept(DhcpEvents.DECLINES);
                }
                return null;
            default:
                events.accept(DhcpEvents.MALFORMED);
                return null;
        }
    }
}
