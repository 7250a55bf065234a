/**
 * The {@code files} search plugin: illumos' {@code overlay_files(5)}, destinations and ARP/NDP
 * answers from a JSON file the operator writes, watched so that an edit applies within a second.
 *
 * <h2>The file</h2>
 * One JSON object keyed by MAC address; each value has {@code ip} (the underlay address of the
 * host where that MAC lives), {@code port} (its UDP port, for UDP encapsulations), and optionally
 * {@code arp} and {@code ndp} (the overlay IPv4 and IPv6 addresses answered for that MAC). The same
 * file can serve every host of the overlay: a host's own VNICs are switched locally before any
 * lookup. {@link org.overlaygate.search.files.MappingFile} says what is refused; nothing is ignored.
 *
 * <h2>What the overlay gets</h2>
 * A DYNAMIC, proxying search: a miss is answered from the mapping in force, or dropped
 * ({@code not_in_file}) for a MAC the file does not name, as in illumos; the cache entries never
 * age ({@link org.overlaygate.api.search.TargetPolicy#LOOKUP_ONLY}), since the file is the truth and
 * its changes invalidate what they touch. ARP requests and neighbour solicitations are answered by
 * proxy from {@code arp} and {@code ndp}; other broadcast and multicast go nowhere (no flood
 * targets: the data path drops and counts them as {@code no_flood_target}).
 *
 * <h2>Watching</h2>
 * Unlike illumos, which reads the file once, {@link org.overlaygate.search.files.FilesSearch}
 * polls its attributes every 250 ms on varpd's timer and reads a changed file whole, on a thread of
 * its own ({@link org.overlaygate.search.files.MappingReader}: regular files only, at most 16 MiB,
 * symbolic links resolved and what they lead to checked, so neither a FIFO nor {@code /dev/zero}
 * can block the timer every overlay shares or fill the heap). A good
 * version is put in force at once and only its differences reach the target cache
 * ({@link org.overlaygate.search.files.MappingChanges}: moved MACs re-pointed, removed and added
 * ones forgotten, reassigned addresses announced to the local VNICs), so unchanged destinations
 * keep flowing untouched. A bad version leaves the last good one in force and marks the overlay
 * DEGRADED with the file, line and reason until a good version appears; a missing file at start
 * leaves nothing in force (every lookup dropped) and is picked up when it appears. Editors that
 * write a temporary file and rename it over the old one are seen as one change.
 *
 * <h2>Across a replacement</h2>
 * The destinations put in force are saved as the instance's state, so an instance of a newer
 * build of this plugin compares the file with what the target cache may hold, even if the file
 * changed while no instance watched it.
 */
package org.overlaygate.search.files;
