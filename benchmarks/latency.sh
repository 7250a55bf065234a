#!/bin/sh
# Round-trip latency between two VMs on two hosts through the Linux kernel's VXLAN (baseline), a
# plain C TAP/UDP forwarder (benchmarks/forwarder.c, compiled here with gcc) and the appliance with
# its default offloads and with offloads=none, in one run: sparse (ping every 2 ms), back to back
# (sockperf ping-pong 64 B, UDP and TCP) and under load (ping every 10 ms during an iperf3 TCP
# stream); avg/p50/p99/max and ratios to the kernel's, with the load average. Needs root.
#   benchmarks/latency.sh [--seconds N] [--rounds N] [--only kernel,forwarder,default,none]
#                         [--variant LABEL[@DIST]=JAVA_OPTS]...
# --rounds repeats the whole set and prints each figure's range (the machine's noise); --variant adds
# an appliance path with other JVM options (e.g. a data path setting) and optionally another build
# of the distribution. -Dog.dist.dir=DIR in JAVA_OPTS measures another build as "appliance".
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "latency.sh: needs root (network namespaces, TAP devices)" >&2
    exit 2
fi
for p in iperf3 sockperf iproute2 iputils-ping gcc; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }
done
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -x runtime/target/overlaygate/bin/overlaygate ]; then
    mvn -B -q -DskipTests install
fi
gcc -O2 -Wall -pthread -o benchmarks/target/forwarder benchmarks/forwarder.c
exec java ${JAVA_OPTS:-} -Dog.forwarder=benchmarks/target/forwarder -cp benchmarks/target/benchmarks.jar org.overlaygate.benchmarks.Latency "$@"
