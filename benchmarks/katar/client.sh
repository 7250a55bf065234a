#!/bin/sh
# katar client benchmark (not a test): one appliance (a Pax Exam framework with the real bundles),
# two katar overlays on loopback with in-memory VNICs, the katar server bundle beside them with a
# warm read cache. Prints the first-packet latency (miss to delivery) p50/p99 beside a cache hit,
# and the lookups per second one appliance drives. The code is
# itests/src/test/java/org/overlaygate/itests/KatarLookupBench.java (its name keeps it out of
# mvn verify). Other test runs on the machine distort it: run it alone, or under the shared lock:
#
#   flock /tmp/og-itest.lock benchmarks/katar/client.sh
set -eu
cd "$(dirname "$0")/../.."
mvn -B -q -pl itests -am verify -Dit.test=KatarLookupBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfailsafe.failIfNoSpecifiedTests=false >/dev/null
grep -h '^BENCH' itests/target/failsafe-reports/org.overlaygate.itests.KatarLookupBench-output.txt
