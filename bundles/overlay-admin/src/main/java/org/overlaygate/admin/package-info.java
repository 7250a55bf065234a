/**
 * The admin socket: how {@code bin/overlayadm} runs a shell command inside the running appliance.
 *
 * <p>The appliance listens on a UNIX domain socket (owner-only permissions, in an owner-only
 * directory), by default {@code run/overlayadm.sock} under the distribution, or wherever the
 * framework property {@code overlaygate.admin.socket} says. Each connection carries one command:
 * see {@link org.overlaygate.admin.AdminProtocol} for the framing. The command runs in a fresh
 * Gogo session, exactly as if typed at the prompt; its output streams back as it is produced, and
 * the exit status is 0 on success and 1 when the command threw, with the message (never a stack
 * trace) on the client's stderr.
 */
package org.overlaygate.admin;
