#!/bin/sh
# Builds the appliance if needed (first time: a few minutes, Maven downloads its dependencies),
# then starts it on its embedded defaults from runtime/target/overlaygate. On a terminal you get
# the Gogo prompt; arguments are passed on (--daemon, --data DIR, --profile NAME; "stop").
set -eu
cd "$(dirname "$0")"
dist=runtime/target/overlaygate
stamp=$dist/lib/overlaygate-launcher.jar
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml bundles runtime/src runtime/pom.xml plugins.d -newer "$stamp" -type f -print 2>/dev/null | head -n 1)" ]; then
    # Maven's whole output goes to a log; what is shown is one line per module as it starts
    # ("[3/24] Overlay Gate data path") and, the first time, each jar downloaded, so a build of a
    # minute or more shows where it is.
    log=$(mktemp "${TMPDIR:-/tmp}/overlaygate-build.XXXXXX")
    status=$(mktemp "${TMPDIR:-/tmp}/overlaygate-build.XXXXXX")
    echo "run.sh: building the appliance (mvn install -DskipTests; the whole log is $log)" >&2
    start=$(date +%s)
    { mvn -B -DskipTests -pl runtime -am install 2>&1; echo $? >"$status"; } | tee "$log" | sed -n \
        -e 's/^\[INFO\] Building \(.*\) [^ ]*-SNAPSHOT *\[\([0-9]*\/[0-9]*\)\]$/run.sh: [\2] \1/p' \
        -e 's/^\[INFO\] Building \(.*\) [^ ]* *\[\([0-9]*\/[0-9]*\)\]$/run.sh: [\2] \1/p' \
        -e 's/^Downloaded from [^:]*: .*\/\([^/]*\.jar\) .*$/run.sh:   downloaded \1/p' >&2
    if [ "$(cat "$status")" != 0 ]; then
        echo "run.sh: the build failed (the whole log is $log):" >&2
        if grep -q '^\[ERROR\]' "$log"; then
            grep '^\[ERROR\]' "$log" | head -n 40 >&2
        else
            tail -n 20 "$log" >&2
        fi
        rm -f "$status"
        exit 1
    fi
    rm -f "$status" "$log"
    echo "run.sh: built in $(( $(date +%s) - start )) s" >&2
fi
exec "$dist/bin/overlaygate" "$@"
