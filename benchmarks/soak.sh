#!/bin/sh
# The soak (issue 17): three appliances and the katar server in network namespaces, an overlay in
# every search mode (direct, multicast, files, katar), ping floods, broadcast ARP, iperf3 and a VM
# moved through the katar server, while plugin jars are replaced, varpd updated, the katar server
# restarted and search jars removed and restored, at random every 10-30 s. Prints the figures and
# checks them: no frame lost on cached flows, no PENDING entry older than 5 s while its lookup was
# up, no upcall dropped, heap and threads flat. Needs root.
#   benchmarks/soak.sh [--minutes N] [--seed S]      (30 minutes by default)
# Exit status 0 when every check passed, 1 when one failed (named on the last line), 2 when it
# cannot run here. The code is itests' (Soak.java; SoakIT runs it for 2 minutes in CI). Run it
# alone: flock /tmp/og-itest.lock benchmarks/soak.sh
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "soak.sh: needs root (network namespaces, TAP devices)" >&2
    exit 2
fi
for p in iperf3 iproute2 iputils-ping iputils-arping; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }
done
if [ ! -x runtime/target/overlaygate/bin/overlaygate ] || [ ! -f itests/target/test-classes/org/overlaygate/itests/Soak.class ]; then
    mvn -B -q -Dstyle.color=never -DskipTests install
fi
mvn -B -q -Dstyle.color=never -pl itests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/soak.classpath
# This tree's test-support first: the local repository's copy may be another checkout's.
exec java ${JAVA_OPTS:-} -Dog.dist.dir=runtime/target/overlaygate \
    -cp "itests/target/test-classes:test-support/target/classes:$(cat itests/target/soak.classpath)" org.overlaygate.itests.Soak "$@"
