/**
 * Output conventions shared by every Overlay Gate shell command, so that {@code overlay:},
 * {@code vnic:} and {@code katar:} commands look alike: dladm-style columns with upper-case
 * headers, and the parseable {@code -p -o field,...} form for scripts; options parsed the same way
 * ({@link org.overlaygate.api.shell.Args}), errors one line ending with the usage.
 *
 * <p>Every command answers {@code -h} with its usage and options, and shows an operator's error as
 * its message alone, at the prompt as through {@code bin/overlayadm}
 * ({@link org.overlaygate.api.shell.Commands}, {@link org.overlaygate.api.shell.CommandException}).
 * An error that names something not found (a command, a property) suggests the nearest known
 * name ({@link org.overlaygate.api.shell.Suggestions}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.overlaygate.api.shell;
