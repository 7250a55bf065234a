package org.overlaygate.core;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Limits and tunables of the data path, configuration PID {@code org.overlaygate.core}. Every queue
 * and cache is bounded by one of these; each default is what a small host needs.
 */
@ObjectClassDefinition(name = "Overlay Gate data path", description = "Limits and tunables of overlay-core")
public @interface CoreSettings {

    @AttributeDefinition(description = "Lowest UDP source port for encapsulated packets (RFC 7348: 49152)")
    int sourcePortMin() default 49152;

    @AttributeDefinition(description = "Highest UDP source port for encapsulated packets")
    int sourcePortMax() default 65535;

    @AttributeDefinition(description = "Sending sockets per UDP underlay: distinct source ports for ECMP entropy")
    int sourcePortPool() default 16;

    @AttributeDefinition(description = "Socket send and receive buffer size, bytes")
    int socketBufferBytes() default 4 * 1024 * 1024;

    @AttributeDefinition(description = "Misses waiting for varpd, across all overlays")
    int missQueue() default 4096;

    @AttributeDefinition(description = "Bytes of frames waiting on pending cache entries, across all overlays")
    long pendingBytesTotal() default 16L * 1024 * 1024;

    @AttributeDefinition(description = "Milliseconds a drop answer applies before the destination is looked up again")
    int dropLifetimeMillis() default 5000;

    @AttributeDefinition(description = "Milliseconds after which an unanswered miss is asked again")
    int missRetryMillis() default 2000;

    @AttributeDefinition(description = "Frames queued on an in-memory VNIC before further ones are dropped")
    int memoryPortQueue() default 1024;

    /**
     * How long, in microseconds, a data path thread that finds its TAP device or underlay socket
     * empty keeps polling it without sleeping before it sleeps: a packet that comes meanwhile is
     * taken without a wake-up (less latency back to back), at the cost of a CPU kept busy that
     * long after each packet. 0: sleep at once. Negative (the default): the framework property
     * {@code overlaygate.core.busyPollMicros} (etc/config.properties, or -D in JAVA_OPTS), else 0.
     * Read when the data path starts.
     */
    @AttributeDefinition(description = "Microseconds a data path thread polls an empty TAP device or socket without sleeping before it"
            + " sleeps (0: at once); negative: the framework property overlaygate.core.busyPollMicros, else 0")
    int busyPollMicros() default -1;

    /**
     * Queues per TAP device (1 to 64): with more than one, each TAP VNIC is a multi-queue TAP
     * (IFF_MULTI_QUEUE), the kernel spreads the flows the VM sends over the queues by their hash,
     * and the VNIC's reader serves the queues in turns, so that a small flow (a ping, an RPC) does
     * not wait behind everything a bulk flow has queued. 0 or negative (the default): the framework
     * property {@code overlaygate.core.tapQueues} (etc/config.properties, or -D in JAVA_OPTS), else
     * {@value DataPathService#DEFAULT_TAP_QUEUES}. Read when the data path starts; a TAP VNIC
     * opened after a change gets the new number.
     */
    @AttributeDefinition(description = "Queues per TAP device, 1 to 64 (more than one: multi-queue, flows served in turns);"
            + " 0: the framework property overlaygate.core.tapQueues, else the default")
    int tapQueues() default 0;

    /**
     * Sockets that receive on each UDP listen address and port (1 to 16; IPv4): with more than
     * one they share it (SO_REUSEPORT) and each is read by its own thread; small datagrams (pings,
     * ACKs, small requests) all go to the first, the others over the rest by their outer source
     * port (a hash of the inner flow), so that a small datagram never queues behind a bulk flow's
     * in one socket's buffer. 0 or negative (the default): the framework property
     * {@code overlaygate.core.underlayQueues} (etc/config.properties, or -D in JAVA_OPTS), else
     * {@value DataPathService#DEFAULT_UNDERLAY_QUEUES}. Read when the data path starts; a listen
     * port opened after a change gets the new number.
     */
    @AttributeDefinition(description = "Sockets receiving on each UDP listen address and port, 1 to 16 (more than one: small datagrams on"
            + " the first, flows of others spread over the rest, each socket read by its own thread); 0: the framework property overlaygate.core.underlayQueues, else the default")
    int underlayQueues() default 0;

    /**
     * The time slice, in microseconds, every data path thread asks the scheduler for (Linux 6.12
     * and later; 100 to 100000): a thread with a short slice that wakes for a packet preempts a
     * thread running a longer one sooner, rather than waiting out its slice (about 3 ms by default).
     * 0: the scheduler's default. Negative (the default): the framework property
     * {@code overlaygate.core.threadSliceMicros} (etc/config.properties, or -D in JAVA_OPTS), else
     * {@value DataPathService#DEFAULT_THREAD_SLICE_MICROS}. Read when the data path starts; threads
     * started after get it.
     */
    @AttributeDefinition(description = "Time slice in microseconds that data path threads ask the scheduler for (Linux 6.12+, 100-100000;"
            + " 0: the scheduler's default); negative: the framework property overlaygate.core.threadSliceMicros, else the default")
    int threadSliceMicros() default -1;

    /**
     * The nice value every data path thread takes (-20 to 19; lower: a larger share of a busy
     * CPU than the VMs and processes it forwards for, as the kernel's softirq has), or
     * {@code inherit}: the process's own. Lowering it needs CAP_SYS_NICE or an RLIMIT_NICE that
     * allows it; a thread refused keeps its own (logged once). Empty (the default): the framework
     * property {@code overlaygate.core.threadNice} (etc/config.properties, or -D in JAVA_OPTS),
     * else {@value DataPathService#DEFAULT_THREAD_NICE}. Read when the data path starts; threads
     * started after get it.
     */
    @AttributeDefinition(description = "Nice value data path threads take, -20 to 19 (lower: a larger share of a busy CPU), or inherit;"
            + " empty: the framework property overlaygate.core.threadNice, else -5")
    String threadNice() default "";

    /**
     * The SCHED_FIFO priority (1 to 99) the threads a light flow passes through take (the small
     * datagrams' receive thread, and a reader of their own for light flows' TAP queue): woken for
     * a packet they preempt any process at once, as the kernel's softirq does, and a round trip
     * under a bulk stream shrinks; but a flood may take all but the kernel's real-time
     * throttling's share of a CPU (docs/performance.md). Needs CAP_SYS_NICE; a thread refused
     * stays as the others (logged once). 0: none. Negative (the default): the framework property
     * {@code overlaygate.core.realtimePriority} (etc/config.properties, or -D in JAVA_OPTS), else 0.
     * Read when the data path starts; threads started after get it.
     */
    @AttributeDefinition(description = "SCHED_FIFO priority (1-99) of the light flows' TAP queue readers and the small datagrams' receive thread, 0: none;"
            + " negative: the framework property overlaygate.core.realtimePriority, else 0")
    int realtimePriority() default -1;

    /**
     * The I/O offloads the data path may use where the kernel has them: all, none, or a list of
     * mmsg, udp_gro, udp_gso, tap_tso, tap_gro (each may be -NAME: all but those; +udp_gso: all,
     * with udp_gso used even over an underlay device that completes no checksums, a veth, TAP or
     * bridge of them, where it is otherwise off). Empty: the framework property
     * {@code overlaygate.core.offloads} (etc/config.properties, or -D in JAVA_OPTS), else all.
     * Read when the data path starts.
     */
    @AttributeDefinition(description = "I/O offloads to use where the kernel has them: all, none, or a list of mmsg, udp_gro, udp_gso,"
            + " tap_tso, tap_gro (each may be -NAME; +udp_gso uses it even over a veth, TAP or bridge, where it is otherwise off);"
            + " empty: the framework property overlaygate.core.offloads, else all")
    String offloads() default "";
}
