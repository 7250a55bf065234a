#!/bin/sh
# katar benchmark (not a test): VL2 lookups per second and latency p50/p99 over loopback TCP with
# 1, 8 and 64 connections, cache hot and cold, on embedded H2 and on a throw-away PostgreSQL
# (initdb on a free loopback port; needs the Debian package postgresql, and root or a user who
# may run initdb). The code is bundles/katar-server/src/test/java/.../KatarBench.java.
#
#   benchmarks/katar/run.sh                      # everything, 5 s per point (about 3 minutes)
#   BENCH_OPTS="-Dbench.seconds=10 -Dbench.backends=h2" benchmarks/katar/run.sh
#   MVN_OPTS="-o -Dmaven.repo.local=/path/to/repository" benchmarks/katar/run.sh
#
# Each line gives lookups/s and latency, and VS_BASE: the throughput over the run's first point
# (H2, hot cache, one connection), the figure to compare between machines and builds.
set -eu
cd "$(dirname "$0")/../.."
mvn -B -q ${MVN_OPTS:-} -pl bundles/katar-server -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
server=bundles/katar-server/target
exec java -Xms1g -Xmx1g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_OPTS:-} \
    -cp "$server/test-classes:$server/classes:$(cat "$server/bench.classpath")" \
    org.overlaygate.katar.server.KatarBench
