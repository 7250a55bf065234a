/**
 * The overlay device: virtual switch, target cache, miss requests, counters. See the package
 * overview of {@code org.overlaygate.core} for how a frame travels through it.
 */
package org.overlaygate.core.device;
