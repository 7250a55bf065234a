/**
 * The appliance in the Apache Felix Web Console ({@code /system/console} on the appliance's HTTP
 * server): the console's own bundle, component and configuration pages, plus the page "Overlays".
 *
 * <p><b>Login.</b> The console has no default password here. {@link org.overlaygate.console.ConsoleLogin}
 * is the console's security provider (the launcher's configuration requires it, so the console is
 * not served without it): HTTP Basic authentication of one user ({@code overlaygate.console.user},
 * {@code admin}) with the password in {@code etc/console.password} (in the package,
 * {@code /etc/overlaygate/console.password}) or, when there is none, one generated at the first
 * start and kept, owner-only, in {@code console.password} of the data directory. The password is
 * never logged; the right one is let in at once, always, and wrong ones are slowed down
 * ({@link org.overlaygate.console.FailedLogins}), never locking anyone out. The console opens on the
 * Overlays page ({@link org.overlaygate.console.StartPage}).
 *
 * <p><b>The Overlays page.</b> {@link org.overlaygate.console.OverlaysPage} is for troubleshooting
 * as much as for status: each overlay with its status and reasons, cache hits and misses, entries
 * by state and pending frames; the upcall queue; drops by reason of every overlay, VNIC and
 * underlay socket, and events (learned, moved, invalidations, upcalls dropped), with their rates
 * since the previous refresh; each search instance's own readings and counts (a katar overlay's
 * connections); the underlay sockets with their offloads; plugins; VNICs with their drops and
 * offloads; the target caches, their origin named as {@code overlay:show -t} names it; and plots of
 * packets and bytes per second, in (solid) and out (dashed), of every overlay and VNIC over the
 * last ten minutes, with labelled axes. {@link org.overlaygate.console.RateHistory} samples the
 * counters every two seconds (bounded: {@value org.overlaygate.console.RateHistory#SAMPLES}
 * samples of at most {@value org.overlaygate.console.RateHistory#MAX_SERIES} series); the page fetches
 * {@code overlays/data.json} every two seconds and redraws. Everything is read through overlay-api
 * ({@link org.overlaygate.api.datapath.DataPath}, {@link org.overlaygate.api.OverlayStatus}).
 */
package org.overlaygate.console;
