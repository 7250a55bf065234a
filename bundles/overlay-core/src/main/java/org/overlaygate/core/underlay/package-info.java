/**
 * Underlay sockets shared by devices: UDP (VXLAN) with a source-port pool for ECMP entropy, and
 * raw IP protocols (NVGRE). One receive thread per socket decapsulates and demultiplexes by vnet id.
 */
package org.overlaygate.core.underlay;
