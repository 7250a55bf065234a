/**
 * varpd's overlays: definitions kept durably through ConfigAdmin ({@link org.overlaygate.varpd.overlay.DefinitionStore}),
 * bound to plugins and to the data path, healed as plugins and the data path come and go, and the
 * lookup threads that answer the data path's upcalls through the search plugins.
 *
 * <p>{@link org.overlaygate.varpd.overlay.OverlayManager} is the one component; it wires the
 * {@code Reconciler} (adopt or create each overlay's device, bind its plugins, restore its VNICs,
 * on every plugin or data path event and every 10 s for what failed), the
 * {@code OverlayOperations} (create and delete, checked, stored, undone on failure) and the
 * {@code UpcallDispatcher} (lock-free upcall threads). Each overlay is a {@code ManagedOverlay},
 * changed under its own monitor, whose parts (device, search, invalidation, VNICs) each have an
 * explicit {@code PartState}; every reason it is DEGRADED is derived from them.
 *
 * <p>Devices live in overlay-core, so stopping varpd leaves cached traffic flowing. A new varpd
 * adopts the existing devices: it reads what each holds ({@code OverlayDevice.settings()}) and
 * changes nothing until a plugin says otherwise.
 */
package org.overlaygate.varpd.overlay;
