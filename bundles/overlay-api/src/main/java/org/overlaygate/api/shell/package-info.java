/**
 * Output conventions shared by every Overlay Gate shell command, so that {@code overlay:},
 * {@code vnic:} and {@code katar:} commands look alike: dladm-style columns with upper-case
 * headers, and the parseable {@code -p -o field,...} form for scripts; options parsed the same way
 * ({@link org.overlaygate.api.shell.Args}), errors one line ending with the usage.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.overlaygate.api.shell;
