/**
 * The mapping database and the read cache in front of it.
 *
 * <p>{@link org.overlaygate.katar.server.store.Database} opens H2 (embedded, a file under the data
 * directory) or PostgreSQL by JDBC URL, with a small bounded pool and SERIALIZABLE write
 * transactions. {@link org.overlaygate.katar.server.store.Migrations} versions the schema, the
 * same SQL on both. {@link org.overlaygate.katar.server.store.MappingStore} is the one entry point,
 * composed of four parts: {@code ProtocolReads} answers lookups through the
 * {@link org.overlaygate.katar.server.store.ReadCache} and serves the per-host invalidation logs and
 * bulk pages; {@code AdminListings} lists hosts, vnets, mappings and pending log lines;
 * {@code MappingWrites} performs the orchestration writes, logging invalidations for every host of
 * the vnet; with PostgreSQL {@code ChangeFeed} tells the other servers which answers changed by
 * NOTIFY, and {@link org.overlaygate.katar.server.store.ChangeListener} hears theirs and has the
 * feed apply them.
 */
package org.overlaygate.katar.server.store;
