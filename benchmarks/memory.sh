#!/bin/sh
# Memory benchmark (not a test): the appliance's resident memory before and after COUNT memory
# overlays (VXLAN, direct search to 127.0.0.x, no VNICs) are created and deleted through
# bin/overlayadm, and after it has been idle for 45 s, so that G1's periodic collection (30 s) has
# returned what it no longer needs. Runs a private copy of the built distribution; the katar
# server listens on a free port.
#   benchmarks/memory.sh [COUNT]                  # default 2000 (about 4 minutes: one JVM per command)
#   MEMORY_JAVA_OPTS="-XX:-UseG1GC -XX:+UseParallelGC -Xms384m -Xmx6g" benchmarks/memory.sh
#                                                 # the same with the launcher's collector before G1
set -eu
cd "$(dirname "$0")/.."
count=${1:-2000}
dist=runtime/target/overlaygate
[ -x "$dist/bin/overlaygate" ] || mvn -B -q -DskipTests -pl runtime -am package
home=$(mktemp -d /tmp/og-memory.XXXXXX)
cp -a "$dist/." "$home/"
rm -rf "$home/data" "$home/run" "$home/log"
trap '"$home/bin/overlaygate" stop >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
JAVA_OPTS="-Doverlaygate.katar.port=0 ${MEMORY_JAVA_OPTS:-}" "$home/bin/overlaygate" --daemon >/dev/null
pid=$(cat "$home/run/overlaygate.pid")
rss() { echo "$(($(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024)) MB"; }
adm() { "$home/bin/overlayadm" "$@" >/dev/null; }
port=$((20000 + $$ % 20000))
echo "heap and collector: $(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -o -- '-X[^ ]*' | tr '\n' ' ')"
printf "%-28s %s\n" "started:" "$(rss)"
i=0
while [ "$i" -lt "$count" ]; do
    adm overlay:create -e vxlan -s direct -v $((1000 + i)) -p vxlan/listen_ip=127.0.0.1 -p vxlan/listen_port=$port \
        -p direct/dest_ip=127.0.0.$((2 + i % 200)) -p direct/dest_port=4789 "m$i"
    i=$((i + 1))
done
printf "%-28s %s\n" "$count overlays created:" "$(rss)"
i=0
while [ "$i" -lt "$count" ]; do
    adm overlay:delete "m$i"
    i=$((i + 1))
done
printf "%-28s %s\n" "$count overlays deleted:" "$(rss)"
sleep 45
printf "%-28s %s\n" "after 45 s idle:" "$(rss)"
