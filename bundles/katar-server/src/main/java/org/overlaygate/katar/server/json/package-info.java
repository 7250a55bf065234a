/**
 * A strict, dependency-free JSON reader for the {@code katar:import} document: the server bundle
 * embeds no JSON library for one file format.
 */
package org.overlaygate.katar.server.json;
