/**
 * The appliance as a whole: when it is ready, and telling systemd.
 *
 * <h2>Ready when it says so</h2>
 * An operator (or a script, or systemd) who is told that the appliance is up runs a command at
 * once: every command must be there, and every stored overlay restored, its device created and its
 * plugins bound or the reasons why not recorded. Bundles start in some order and Declarative
 * Services, FileInstall and varpd each finish their work a little later on their own threads, so
 * nothing is ready merely because the launcher has started the bundles. {@link
 * org.overlaygate.appliance.Readiness} watches until all of these hold at once:
 * <ul>
 * <li>the launcher has started every bundle of {@code system/} (it registers the condition
 * {@value org.overlaygate.appliance.Readiness#LAUNCHED});</li>
 * <li>every jar of {@code plugins.d/} that is a bundle has been installed by FileInstall;</li>
 * <li>Declarative Services has nothing on its way ({@link org.overlaygate.appliance.ReadinessCheck#components}):
 * every component of every active bundle is read, enabled, created, and not waiting for a service
 * that is already registered (a reference waiting for one that nobody registers waits for ever
 * and holds up nothing);</li>
 * <li>varpd, when it runs, is settled ({@link org.overlaygate.api.OverlayStatus#settled()});</li>
 * <li>the HTTP server (metrics, web console) runs, or {@value org.overlaygate.appliance.Readiness#HTTP_WAIT_MS} ms
 * have passed (one that cannot bind its port says so in the log);</li>
 * <li>no bundle or service event for a moment (the work that follows one has finished).</li>
 * </ul>
 * Then it registers the condition {@value org.overlaygate.appliance.Readiness#READY}: the admin
 * socket (bundle overlay-admin) waits for it before it binds, so {@code bin/overlayadm} only ever
 * finds a ready appliance; the launcher waits for the socket before it writes the pid file
 * ({@code bin/overlaygate --daemon} returns then) and before it starts the interactive prompt. Under
 * systemd ({@code Type=notify}), {@link org.overlaygate.appliance.SystemdNotify} sends
 * {@code READY=1} once the socket exists, and {@code STOPPING=1} at a stop. Something that never
 * settles (a plugin that fails for ever) does not keep the appliance from starting: after
 * {@code overlaygate.ready.timeout.ms} it is declared ready and the log says what was still pending.
 *
 * <h2>One client cannot take the HTTP server</h2>
 * {@link org.overlaygate.appliance.RequestLimit}, a filter on every context of the HTTP
 * whiteboard (metrics and the web console alike), serves at most a few requests of one client
 * address at once and answers the rest 429 at once.
 */
package org.overlaygate.appliance;
