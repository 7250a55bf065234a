/**
 * VNICs: the ports of a device's switch. A {@link org.overlaygate.core.vnic.PortVnic} reads its
 * OS side (TAP or pcap) on its own thread; a {@link org.overlaygate.core.vnic.MemoryVnic} is
 * driven by its caller.
 */
package org.overlaygate.core.vnic;
