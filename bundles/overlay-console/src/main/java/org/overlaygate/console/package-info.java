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
 * never logged; failed logins from one address are limited.
 *
 * <p><b>The Overlays page.</b> {@link org.overlaygate.console.OverlaysPage} shows each overlay with
 * its status and reasons, the plugins, the VNICs and the target caches, and plots packets and bytes
 * per second of every overlay and VNIC over the last ten minutes. {@link org.overlaygate.console.RateHistory}
 * samples the counters every two seconds (bounded: {@value org.overlaygate.console.RateHistory#SAMPLES}
 * samples of at most {@value org.overlaygate.console.RateHistory#MAX_SERIES} series); the page fetches
 * {@code overlays/data.json} every two seconds and redraws. Everything is read through overlay-api
 * ({@link org.overlaygate.api.datapath.DataPath}, {@link org.overlaygate.api.OverlayStatus}).
 */
package org.overlaygate.console;
