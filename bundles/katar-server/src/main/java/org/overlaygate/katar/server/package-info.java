/**
 * The katar server bundle: the mapping service hosts ask "where is MAC m of vnet v?" and "which
 * MAC has IP a?", in the SVP wire format (docs/katar-protocol.md).
 *
 * <p>{@link org.overlaygate.katar.server.KatarComponent} (DS, PID
 * {@code org.overlaygate.katar.server}, settings in {@link org.overlaygate.katar.server.KatarConfig})
 * runs a {@link org.overlaygate.katar.server.KatarService}: the mapping database
 * ({@code .store}), the read cache, and the protocol server ({@code .net}). The orchestration
 * commands {@code katar:host-add}, {@code host-remove}, {@code map-add}, {@code map-remove}, {@code map-move},
 * {@code show} and {@code import} write through the same service. The protocol codec is embedded
 * privately from the katar-protocol module; nothing here is exported.
 */
package org.overlaygate.katar.server;
