/**
 * The appliance's launcher and its command-line admin client; plain Java, outside OSGi.
 *
 * <p>{@link org.overlaygate.launcher.Main} embeds Apache Felix: it reads {@code etc/config.properties},
 * installs and starts every bundle of {@code system/} (plus the interactive shell of {@code shell/}
 * on a terminal), lets FileInstall take {@code plugins.d/}, writes {@code run/overlaygate.pid}, and
 * stops the framework on SIGTERM. Logging (slf4j with logback) lives on the launcher's class path
 * and is exported to the bundles by the system bundle; its console and journal destinations write
 * to the process's own descriptors ({@link org.overlaygate.launcher.ProcessStreamAppender}), never
 * into the output of the command that caused a line. On a terminal, leaving the prompt (Ctrl-D)
 * stops nothing: {@link org.overlaygate.launcher.PromptKeeper} gives a new one; {@code exit 0}
 * stops the appliance.
 *
 * <p>{@link org.overlaygate.launcher.OverlayAdm} is {@code bin/overlayadm}: one command over the
 * admin UNIX socket.
 */
package org.overlaygate.launcher;
