/**
 * The katar protocol server: one NIO I/O thread for every connection, database lookups on a
 * bounded worker pool, replies out of order by id, and every limit (connections, outstanding
 * requests per connection, message size, work queue, reply bytes held) enforced with a refusal
 * the client sees, or by not reading it.
 *
 * <p>The parts: {@link org.overlaygate.katar.server.net.SvpServer} accepts (per-address and global
 * connection limits), runs the selector and the sweeps (stalled, idle, not reading);
 * {@code Connection} is one connection's framing (messages in, replies out, paused between two
 * messages); {@code Dispatcher} answers each request (cache hits at once, lookups to a worker,
 * FATAL for what does not fit, a host's log only to that host); {@code Admission} decides whether
 * a connection may take one more request (the bytes it holds, the largest reply of each lookup in
 * progress included, and all connections' together) and queues lookups fairly between source
 * addresses ({@code FairWork}).
 */
package org.overlaygate.katar.server.net;
