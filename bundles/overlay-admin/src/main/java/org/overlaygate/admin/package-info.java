/**
 * The admin socket: how {@code bin/overlayadm} runs one of the appliance's commands inside the
 * running appliance. Whoever may connect runs commands as the appliance's user (root, usually), so
 * this is a security boundary; the theory of it:
 *
 * <p><b>Who may connect.</b> The appliance's user only. The socket ({@code run/overlayadm.sock}
 * under the distribution, or the framework property {@code overlaygate.admin.socket}) is bound in
 * a fresh private directory, made 0600 and renamed into place ({@link org.overlaygate.admin.AdminServer#bind}),
 * so it is never reachable with other permissions, whatever the umask or its directory; the
 * launcher also keeps {@code run/} 0700. It is bound only once the appliance is ready (the
 * condition {@code overlaygate.ready} of bundle appliance): every command registered, every stored
 * overlay restored; a client never meets a half-started appliance.
 *
 * <p><b>What a request may do.</b> One command with literal arguments. The request's line is split
 * by {@link org.overlaygate.admin.CommandLine} (quotes and backslashes, nothing else; what Gogo
 * would evaluate is refused outside quotes), cleared by {@link org.overlaygate.admin.CommandPolicy}
 * (the commands of the appliance's own bundles, and a few checked built-ins), and the command's
 * Gogo function is called with the words as strings by {@link org.overlaygate.admin.CommandRunner}:
 * Gogo's parser never sees the request, so no expression, closure, variable, pipe or redirection
 * can run. The interactive console on a terminal keeps the full shell.
 *
 * <p><b>How much.</b> {@link org.overlaygate.admin.AdminServer} bounds connections, running
 * commands, the request's size and the time to send it; past each bound the client gets one line
 * saying which, and nothing else is affected. See {@link org.overlaygate.admin.AdminProtocol} for
 * the framing. Output streams back as it is produced; the exit status is 0 on success and 1 when
 * the command failed or was refused, with one line (never a stack trace) on the client's stderr.
 * The log records each command once, on one line, with secrets masked ({@code LogText}).
 */
package org.overlaygate.admin;
