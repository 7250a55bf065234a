#!/bin/sh
# JMH benchmarks of the per-packet work: ns/op and B/op (gc profiler) of VXLAN encapsulation,
# decapsulation, the whole transmit hit path, and the offloaded paths per 64 KiB (a TSO frame cut
# into a send batch; 49 received segments coalesced into one TAP write), the router forwarding an
# IPv4 and an IPv6 packet between two overlays (against a plain copy of the frame), each as a ratio of a
# boxed-key map lookup measured in the same run.
#   benchmarks/jmh.sh [JMH options, e.g. -f 2 -wi 5]
set -eu
cd "$(dirname "$0")/.."
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q -DskipTests install
exec java -cp benchmarks/target/benchmarks.jar org.overlaygate.benchmarks.PacketPathReport "$@"
