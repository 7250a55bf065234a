#!/bin/sh
# How overlay create and delete scale with the number of overlays (not a test): a private copy of
# the built distribution, COUNT overlays created then deleted through the admin socket, the time per
# 100 printed for each batch. Flat columns mean the cost does not grow with the number that exist.
#   benchmarks/scale.sh [COUNT] [BATCH]          # default 10000 1000
set -eu
cd "$(dirname "$0")/.."
dist=runtime/target/overlaygate
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -x "$dist/bin/overlaygate" ]; then
    mvn -B -q -DskipTests install
fi
home=$(mktemp -d /tmp/og-scale.XXXXXX)
cp -a "$dist/." "$home/"
rm -rf "$home/data" "$home/run" "$home/log"
trap '"$home/bin/overlaygate" stop >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
JAVA_OPTS="-Doverlaygate.katar.port=0" "$home/bin/overlaygate" --daemon >/dev/null
java -cp benchmarks/target/benchmarks.jar org.overlaygate.benchmarks.OverlayScale "$home/run/overlayadm.sock" "${1:-10000}" "${2:-1000}"
echo "RSS at the end: $(($(awk '/VmRSS/ {print $2}' "/proc/$(cat "$home/run/overlaygate.pid")/status") / 1024)) MB"
