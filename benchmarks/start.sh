#!/bin/sh
# Start-time benchmark (not a test): how long "bin/overlaygate --daemon" takes to return, which it
# does once the appliance is ready (every command registered, every stored overlay restored, the
# admin socket open): the time a user waits after ./run.sh --daemon of a built tree. The first
# start makes a new data directory (console password, katar's database); the next COUNT starts
# find it, with one stored VXLAN overlay and one in-memory VNIC to restore. Runs a private copy of
# the built distribution on free ports.
#   benchmarks/start.sh [COUNT]                  # default 5
set -eu
cd "$(dirname "$0")/.."
count=${1:-5}
dist=runtime/target/overlaygate
[ -x "$dist/bin/overlaygate" ] || mvn -B -q -DskipTests -pl runtime -am package
home=$(mktemp -d /tmp/og-start.XXXXXX)
cp -a "$dist/." "$home/"
rm -rf "$home/data" "$home/run" "$home/log"
trap '"$home/bin/overlaygate" stop >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
export JAVA_OPTS="-Doverlaygate.http.port=0 -Doverlaygate.katar.port=0"
port=$((20000 + $$ % 20000))
seconds() {
    t0=$(date +%s%N)
    "$home/bin/overlaygate" --daemon >/dev/null
    echo "$(( ($(date +%s%N) - t0) / 1000000 ))" | sed 's/\(...\)$/.\1/'
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "first start (new data directory): $(seconds) s"
"$home/bin/overlayadm" overlay:create -e vxlan -s direct -v 4242 -p vxlan/listen_ip=127.0.0.1 -p vxlan/listen_port=$port \
    -p direct/dest_ip=127.0.0.2 -p direct/dest_port=4789 ovl0 >/dev/null
"$home/bin/overlayadm" vnic:create -l ovl0 -k memory vnic0 >/dev/null
"$home/bin/overlaygate" stop >/dev/null
i=0
while [ "$i" -lt "$count" ]; do
    echo "start $((i + 1)) (one overlay and VNIC restored): $(seconds) s"
    "$home/bin/overlaygate" stop >/dev/null
    i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
