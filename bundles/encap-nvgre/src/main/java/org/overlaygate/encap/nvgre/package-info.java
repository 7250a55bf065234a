/**
 * Not implemented yet: this bundle is a placeholder in the reactor and is not deployed by the
 * runtime. See the issue that builds it.
 */
package org.overlaygate.encap.nvgre;
