#!/bin/sh
# Builds the appliance if needed (first time: a few minutes, Maven downloads its dependencies),
# then starts it on its embedded defaults from runtime/target/overlaygate. On a terminal you get
# the Gogo prompt; arguments are passed on (--daemon, --data DIR, --profile NAME; "stop").
set -eu
cd "$(dirname "$0")"
dist=runtime/target/overlaygate
stamp=$dist/lib/overlaygate-launcher.jar
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml bundles runtime/src runtime/pom.xml plugins.d -newer "$stamp" -type f -print 2>/dev/null | head -n 1)" ]; then
    echo "run.sh: building the appliance (mvn install -DskipTests)..." >&2
    mvn -B -q -DskipTests -pl runtime -am install
fi
exec "$dist/bin/overlaygate" "$@"
