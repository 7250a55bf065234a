#!/bin/sh
# JMH benchmarks of the per-packet work (ns/op, and B/op with the gc profiler), with a boxed-key
# map lookup as the baseline in the same run.
#   benchmarks/jmh.sh [JMH options, e.g. -f 2 -wi 5]
set -eu
cd "$(dirname "$0")/.."
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q -DskipTests install
exec java -jar benchmarks/target/benchmarks.jar PacketPathBenchmark -prof gc "$@"
