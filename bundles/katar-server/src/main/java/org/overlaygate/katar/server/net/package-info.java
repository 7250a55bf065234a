/**
 * The katar protocol server: one NIO I/O thread for every connection, database lookups on a
 * bounded worker pool, replies out of order by id, and every limit (connections, outstanding
 * requests per connection, message size, work queue, unsent replies) enforced with a refusal the
 * client sees. See {@link org.overlaygate.katar.server.net.SvpServer}.
 */
package org.overlaygate.katar.server.net;
