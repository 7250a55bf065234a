#!/bin/sh
# End-to-end throughput: iperf3 TCP and UDP between two namespaces through the Linux kernel's VXLAN
# (baseline) and through the appliance with TAP VNICs over VXLAN and over NVGRE, in one run, with
# ratios, CPU seconds per GB carried and the appliance's resident set under load. Needs root.
#   benchmarks/throughput.sh [--seconds N] [--no-nvgre] [--two-hosts] [--offloads all|none|LIST]
# --two-hosts adds two appliances in two namespaces joined by a veth pair (the kernel baseline's
# topology); --offloads overrides overlaygate.core.offloads of the appliances (docs/performance.md: Offloads).
# -Dog.dist.dir=DIR in JAVA_OPTS measures another build of the distribution.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "throughput.sh: needs root (network namespaces, TAP devices)" >&2
    exit 2
fi
for p in iperf3 iproute2 iputils-ping; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }
done
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -x runtime/target/overlaygate/bin/overlaygate ]; then
    mvn -B -q -DskipTests install
fi
exec java ${JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar org.overlaygate.benchmarks.Throughput "$@"
