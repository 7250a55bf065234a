#!/bin/sh
# Routing throughput (issue 19): iperf3 TCP and UDP packets/s between VMs on two hosts, in one run,
# (a) on the same overlay through two appliances, (b) routed between two overlays (10.1.0.0/24 VNI 100,
# 10.2.0.0/24 VNI 200) by the overlay-router defined on both, and (c) the same two ways through the
# Linux kernel: a vxlan device per VNI in a bridge of its own on each host, routed by the kernel
# (ip_forward). Prints each figure, CPU seconds per GB (machine and appliances), and the ratios
# routed/same-overlay and routed/kernel. The topology is RouterNamespaceIT's. Needs root.
# A benchmark, not a test: it is in no test suite.
#   benchmarks/router.sh [--seconds N]        (default 5 s per point)
# -Dog.dist.dir=DIR in JAVA_OPTS measures another build of the distribution.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "router.sh: needs root (network namespaces, TAP devices)" >&2
    exit 2
fi
for p in iperf3 iproute2 iputils-ping; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }
done
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -f runtime/target/overlaygate/plugins.d/overlay-router.jar ]; then
    mvn -B -q -DskipTests install
fi
# The JVM removes its namespaces, appliances and iperf3s itself (finally blocks, and a shutdown hook on
# SIGINT/SIGTERM). This trap covers the rest: if the JVM is killed outright, whatever it left in the
# namespaces it named rb* (with a random suffix: Netns.uniqueName) created after this script started.
pid=
existing=$(ip netns list | awk '{print $1}' | grep '^rb' || true)
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    for ns in $(ip netns list | awk '{print $1}' | grep '^rb' || true); do
        case " $(echo $existing) " in *" $ns "*) continue ;; esac
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    exit "$rc"
}
trap cleanup EXIT INT TERM
java ${JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar org.overlaygate.benchmarks.RouterThroughput "$@" &
pid=$!
wait "$pid"
