#!/bin/sh
# The katar memory attack of issue 23, replayed against a copy of the built distribution (not a
# test): an appliance with the package defaults (katar server beside the data path, 512 MB heap)
# and 2,500 mappings (every BULK_ACK a full 64 KiB page); then 256 connections from 4 loopback
# addresses (64 each, within every limit), each pipelining 256 BULK_REQ and never reading.
# Prints heap (after a full GC) and threads before, under and after the flood, the bytes the
# server holds for the flooders, whether the appliance still answers, and the time from the
# flood's end until the server holds nothing again. Build first (./run.sh or mvn install); run
# it alone or under the shared lock, it uses loopback ports:
#
#   flock /tmp/og-itest.lock benchmarks/katar/flood.sh [ADDRESSES PER_ADDRESS BULKS]
set -eu
cd "$(dirname "$0")/../.."
repo=$(pwd)
addresses=${1:-4}
per_address=${2:-64}
bulks=${3:-256}
mvn -B -q ${MVN_OPTS:-} -pl bundles/katar-server test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
server=bundles/katar-server/target
home=$(mktemp -d /tmp/og-flood.XXXXXX)
flood_in=
cleanup() {
    [ -n "$flood_in" ] && exec 3>&- 2>/dev/null || true
    "$home/bin/overlaygate" stop >/dev/null 2>&1 || true
    rm -rf "$home"
}
trap cleanup EXIT INT TERM
cp -a runtime/target/overlaygate/. "$home/"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
katar=$(free_port)
http=$(free_port)
sed -i "s/^overlaygate.katar.port=1296$/overlaygate.katar.port=$katar/" "$home/etc/config.properties"
JAVA_OPTS="-Doverlaygate.http.port=$http" "$home/bin/overlaygate" --daemon >/dev/null
pid=$(cat "$home/run/overlaygate.pid")
adm="$home/bin/overlayadm"
until "$adm" katar:show server 2>/dev/null | grep -q ' online '; do sleep 0.2; done

python3 - >"$home/mappings.json" <<'EOF'
import json
print(json.dumps({"vnets": [{"id": 42}], "hosts": [{"id": "cn1", "ip": "10.88.0.1"}],
                  "mappings": [{"vnet": 42, "mac": "02:08:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255),
                                "host": "cn1"} for i in range(2500)]}))
EOF
"$adm" katar:import "$home/mappings.json" >/dev/null

stat() { "$adm" katar:show -p -o COUNTER,VALUE stats | awk -F: -v k="$1" '$1 == k { print $2 }'; }
heap_mb() {
    jcmd "$pid" GC.run >/dev/null
    jcmd "$pid" GC.heap_info | awk '/garbage-first heap/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub("K,?", "", v); printf "%.0f", v / 1024 } }'
}
threads() { awk '/^Threads:/ { print $2 }' "/proc/$pid/status"; }
answers() { "$home/bin/katar-client" -s "127.0.0.1:$katar" ping >/dev/null 2>&1 && "$adm" help >/dev/null 2>&1 && echo yes || echo NO; }
now_ms() { date +%s%3N; }

echo "before:  heap $(heap_mb) MB, $(threads) threads"
mkfifo "$home/flood.in"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$server/test-classes:$server/classes:$(cat "$server/bench.classpath")" \
    org.overlaygate.katar.server.KatarFlood 127.0.0.1 "$katar" "$addresses" "$per_address" "$bulks" <"$home/flood.in" &
flooder=$!
exec 3>"$home/flood.in"
flood_in=yes
started=$(now_ms)
conns=$((addresses * per_address))
# Settled: every flooding connection stopped taking requests and no lookup is left in a worker.
while :; do
    paused=$(( $(stat read_paused || echo 0) + $(stat read_paused_total || echo 0) ))
    [ "$paused" -ge "$conns" ] && [ "$(stat lookups_in_progress)" = 0 ] && break
    if [ $(( $(now_ms) - started )) -gt 120000 ]; then echo "the flood did not settle within 120 s ($paused paused)"; break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "the appliance died"; exit 1; fi
    sleep 0.5
done
echo "flood:   $(stat connections) connections, settled in $(( $(now_ms) - started )) ms; the server holds $(( $(stat held_bytes) / 1048576 )) MB for them"
echo "under:   heap $(heap_mb) MB, $(threads) threads; the appliance answers: $(answers)"
exec 3>&-
flood_in=
wait "$flooder" || true
ended=$(now_ms)
while [ "$(stat held_bytes)" != 0 ] || [ "$(stat connections)" != 0 ]; do sleep 0.05; done
echo "after:   nothing held $(( $(now_ms) - ended )) ms after the flood ended; heap $(heap_mb) MB, $(threads) threads; the appliance answers: $(answers)"
