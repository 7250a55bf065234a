/**
 * The katar wire format (SVP version 1 and our extensions), byte for byte as
 * {@code docs/katar-protocol.md} describes it: the 16-byte header with its CRC-32
 * ({@link org.overlaygate.katar.protocol.Frame}), a stream decoder that refuses bad versions,
 * oversized messages and CRC mismatches before trusting anything
 * ({@link org.overlaygate.katar.protocol.FrameReader}), and every payload in both directions
 * ({@link org.overlaygate.katar.protocol.Messages}). Pure code: no I/O, no threads. Not exported:
 * each bundle that speaks katar embeds its own copy.
 */
package org.overlaygate.katar.protocol;
