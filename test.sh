#!/bin/sh
# Runs every test: unit tests, Pax Exam integration tests, distribution tests and, as root, the
# system tests with network namespaces. On a fresh Debian machine with Java 17 and Maven it first
# installs the Debian packages the system tests use (when run as root and they are missing):
# postgresql gives the katar tests a throw-away cluster of their own (initdb on a free port);
# systemd gives systemd-analyze (the unit is verified and its exposure rated) and systemd-container
# systemd-nspawn (the unit runs under a real systemd even where PID 1 is not systemd), prometheus
# gives promtool (the metrics are checked), chromium loads the web console headless, dpkg installs
# the built .deb (adduser and acl are what it depends on), lintian checks it and man-db shows its
# manual pages; openvswitch-switch is the Geneve and VXLAN peer of OvsInteropIT (its userspace
# datapath, started by the test itself: no kernel module, no service); llvm gives llvm-mc, which
# assembles the tc programs VlanInteropIT makes a VLAN access port with on kernels without 802.1Q
# devices.
set -eu
cd "$(dirname "$0")"
packages="iproute2 iputils-ping iputils-arping tshark iperf3 ethtool libpcap0.8 bsdutils procps util-linux postgresql systemd prometheus chromium dpkg adduser acl lintian systemd-container man-db isc-dhcp-client busybox dnsmasq-base openvswitch-switch traceroute iputils-tracepath llvm"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $packages; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "test.sh: installing Debian packages:$missing" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
fi
exec mvn -B verify "$@"
