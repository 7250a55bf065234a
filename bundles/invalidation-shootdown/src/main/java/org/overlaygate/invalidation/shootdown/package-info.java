/**
 * The {@code shootdown} invalidation plugin: katar's SHOOTDOWN datagram between hosts, usable with
 * any DYNAMIC search plugin ({@code overlay:create -e vxlan -s katar -i shootdown ...}).
 *
 * <p>When a VM moves, hosts that still send to its old host learn it from the katar server's log
 * within 5 to 10 s. SHOOTDOWN is faster: the old host receives a unicast frame for a MAC that is
 * not there; the data path reports it (rate-limited per sender and MAC) and this plugin sends
 * SHOOTDOWN(mac, vnet id), one 28-byte datagram with the SVP header and CRC, to the sender's
 * underlay address on {@code shootdown/port} (1339). The sender's plugin forgets the MAC in that
 * overlay's target cache, so its next frame is looked up afresh and goes to the new host.
 *
 * <p>One UDP socket per (underlay address, port) is shared by the overlays listening there and
 * demultiplexes by vnet id. A datagram of the wrong size, version, operation or CRC, or naming a
 * vnet none of them has, is counted on each of them ({@code shootdown_dropped_*}) and ignored;
 * valid ones are applied at most {@code shootdown/max_rate} a second per overlay, so a flood cannot
 * push valid entries out faster than that (forgetting an entry only costs a lookup: a SHOOTDOWN can
 * never point a cache anywhere).
 *
 * <p>Anyone on the underlay can forge a datagram, CRC included. So a SHOOTDOWN is believed only
 * from a host the overlay knows for that MAC: the address its target cache holds for the MAC
 * (the host the frames went to, the only one that can say "not here"), its point destination or
 * a configured peer; one from anyone else is counted ({@code shootdown_dropped_unknown_sender})
 * and ignored. An entry the operator set ({@code overlay:modify -s}) is never removed, nor is an
 * entry frames wait on for their lookup (its answer will tell). The core checks and removes under
 * the entry's lock ({@code OverlayDevice.invalidateFrom}). {@code overlay:stats} shows
 * {@code shootdowns_sent}, {@code shootdowns_applied} and the drops; varpd counts
 * {@code invalidations_received}.
 */
package org.overlaygate.invalidation.shootdown;
