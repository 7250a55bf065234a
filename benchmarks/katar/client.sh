#!/bin/sh
# katar client benchmark (not a test): one appliance (a Pax Exam framework with the real bundles),
# two katar overlays on loopback with in-memory VNICs, the katar server bundle beside them with a
# warm read cache. Prints the first-packet latency (miss to delivery) p50/p99 beside a cache hit
# measured in the same run (and their ratio), and the lookups per second one appliance drives. The
# code is itests/src/test/java/org/overlaygate/itests/KatarLookupBench.java (its name keeps it out
# of mvn verify). Other test runs on the machine distort it: run it alone, or under the shared lock.
#
#   benchmarks/katar/client.sh [MAVEN OPTIONS]
#   flock /tmp/og-itest.lock benchmarks/katar/client.sh -Dmaven.repo.local=/work/m2-mine
#
# Maven's output goes to itests/target/katar-client-bench.log; a failed build says so, with the end
# of that log, instead of printing nothing.
set -eu
cd "$(dirname "$0")/../.."
mkdir -p itests/target
log=itests/target/katar-client-bench.log
if ! mvn -B "$@" -pl itests -am verify -Dit.test=KatarLookupBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
        -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "katar client benchmark: the build or the benchmark failed (whole output in $log)" >&2
    exit 1
fi
out=itests/target/failsafe-reports/org.overlaygate.itests.KatarLookupBench-output.txt
if ! grep -h '^BENCH' "$out"; then
    echo "katar client benchmark: it ran but printed no BENCH line (see $out and $log)" >&2
    exit 1
fi
