package org.overlaygate.katar.server;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the katar server (PID {@code org.overlaygate.katar.server}). Any property left
 * unset falls back to the framework property {@code overlaygate.katar.NAME}, then to the default
 * here (see {@link KatarSettings}).
 */
@ObjectClassDefinition(name = "katar server", description = "The mapping service hosts ask for VL2/VL3 answers and invalidations.")
public @interface KatarConfig {
    @AttributeDefinition(description = "Serve at all (false: the bundle stays idle)")
    boolean enabled() default true;

    @AttributeDefinition(description = "Address to listen on; 127.0.0.1 serves only this machine, 0.0.0.0 every interface")
    String listen_address() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port (0 picks a free one)", min = "0", max = "65535")
    int port() default 1296;

    @AttributeDefinition(description = "JDBC URL of the mapping database; empty: embedded H2 under the data directory."
            + " jdbc:postgresql://host:5432/db shares one database between several katar servers")
    String jdbc_url() default "";

    @AttributeDefinition(description = "Database user")
    String jdbc_user() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Database password; katar:config stores it in an owner-only"
            + " file under the data directory and sets jdbc.password.file instead")
    String jdbc_password() default "";

    @AttributeDefinition(description = "File holding the database password (its first line); keep it owner-only")
    String jdbc_password_file() default "";

    @AttributeDefinition(description = "Database connections in the pool", min = "1")
    int db_pool_size() default 8;

    @AttributeDefinition(description = "Connections open at once; one more is closed at once. The last eighth is kept for"
            + " addresses without a connection", min = "1")
    int max_connections() default 1024;

    @AttributeDefinition(description = "Connections open at once from one source address; one more is closed at once", min = "1")
    int max_connections_per_address() default 64;

    @AttributeDefinition(description = "Requests of one connection waiting for the database; one more is answered TRYAGAIN", min = "1")
    int max_outstanding() default 256;

    @AttributeDefinition(description = "Largest message payload read or written, in bytes; a larger request closes its connection", min = "64")
    int max_message_bytes() default 65536;

    @AttributeDefinition(description = "Threads running database lookups", min = "1")
    int workers() default 4;

    @AttributeDefinition(description = "Lookups waiting for a worker, all connections; one more is answered TRYAGAIN", min = "1")
    int work_queue() default 4096;

    @AttributeDefinition(description = "A message not complete this long after its first byte closes its connection, in ms", min = "1")
    int stalled_message_ms() default 30000;

    @AttributeDefinition(description = "A connection that sent no complete message for this long, and waits for no answer, is closed, in ms",
            min = "1")
    int idle_timeout_ms() default 120000;

    @AttributeDefinition(description = "Answers kept in the read cache (0: no cache)", min = "0")
    int cache_entries() default 100000;

    @AttributeDefinition(description = "Longest time a cached answer is served after it was read from the database, in ms", min = "0")
    int cache_ttl_ms() default 5000;

    @AttributeDefinition(description = "Whether a host may read and clear the invalidation log of the address its LOG_REQ names"
            + " when that is not the connection's source address (hosts behind NAT); false: such a request is refused")
    boolean log_trust_named_address() default false;
}
