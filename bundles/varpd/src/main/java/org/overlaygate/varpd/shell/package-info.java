/**
 * The {@code overlay:} and {@code vnic:} Gogo commands, after illumos dladm: columns with upper-case
 * headers, {@code -p -o} parseable output, one-line errors.
 */
package org.overlaygate.varpd.shell;
