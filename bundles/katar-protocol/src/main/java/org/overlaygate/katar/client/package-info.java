/**
 * A small asynchronous katar client ({@link org.overlaygate.katar.client.KatarClient}): one TCP
 * connection, many requests outstanding, replies matched by id, CRC checked; and its command-line
 * front end {@link org.overlaygate.katar.client.KatarClientMain} ({@code bin/katar-client}), which
 * lets an operator ask a server what a host would ask. Private to the bundles that embed it.
 */
package org.overlaygate.katar.client;
