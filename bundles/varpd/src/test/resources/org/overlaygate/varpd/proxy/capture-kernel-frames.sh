#!/bin/bash
# Captures the reference frames of kernel-frames.txt: ARP and IPv6 Neighbour Discovery exactly as
# real implementations send them (the Linux kernel; iputils arping and ndisc6 for the frames the
# kernel only sends from user space), between two network namespaces joined by a veth pair.
#
# Run as root from the repository root, holding the lock that the other network tests take:
#   flock /tmp/og-itest.lock bundles/varpd/src/test/resources/org/overlaygate/varpd/proxy/capture-kernel-frames.sh \
#       > bundles/varpd/src/test/resources/org/overlaygate/varpd/proxy/kernel-frames.txt
# Needs ip, sysctl, tcpdump, ping, arping (iputils-arping), ndisc6 (Debian packages of those names).
# The namespaces (and with them the veth pair and VLAN devices) are deleted on exit, also on failure.
#
# Each capture uses a BPF filter that admits only the frames it expects, and every frame's tcpdump
# summary is checked against a pattern, so background traffic cannot slip into a fixture unnoticed.
set -euo pipefail

A=ogarp-a-$$
B=ogarp-b-$$
MAC_A=02:00:00:00:0a:01
MAC_B=02:00:00:00:0b:01
MAC_A_MOVED=02:00:00:00:0a:02
work=$(mktemp -d)

cleanup() {
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ina() { ip netns exec "$A" "$@"; }
inb() { ip netns exec "$B" "$@"; }

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add vethA type veth peer name vethB netns "$B"
ip -n "$A" link set vethA address $MAC_A
ip -n "$B" link set vethB address $MAC_B
for ns in "$A" "$B"; do
    dev=$([ "$ns" = "$A" ] && echo vethA || echo vethB)
    ip -n "$ns" link set lo up
    # No link-local address: no DAD, router solicitation or MLD noise while capturing.
    ip -n "$ns" link set "$dev" addrgenmode none
    # Entries stay REACHABLE and never go to PROBE by themselves during the run (no stray
    # unicast ARP/NS); the unicast scenario below shortens the delay on A alone.
    for fam in ipv4 ipv6; do
        ip netns exec "$ns" sysctl -qw net.$fam.neigh.$dev.base_reachable_time_ms=3600000
        ip netns exec "$ns" sysctl -qw net.$fam.neigh.$dev.delay_first_probe_time=3600
    done
done
# A announces itself when its MAC changes: gratuitous ARP (arp_notify) and unsolicited NA (ndisc_notify).
ina sysctl -qw net.ipv4.conf.vethA.arp_notify=1
ina sysctl -qw net.ipv6.conf.vethA.ndisc_notify=1
ip -n "$A" addr add 10.0.0.1/24 dev vethA
ip -n "$B" addr add 10.0.0.2/24 dev vethB
ip -n "$A" addr add fd00::1/64 dev vethA nodad
ip -n "$B" addr add fd00::2/64 dev vethB nodad
ip -n "$A" link set vethA up
ip -n "$B" link set vethB up
sleep 1

# start_capture ID FILTER NAME:PATTERN...  (one NAME:PATTERN per expected frame, in order)
start_capture() {
    local id=$1 filter=$2
    shift 2
    printf '%s\n' "$@" > "$work/$id.expect"
    timeout 20 ip netns exec "$A" tcpdump -i vethA -nn -c $# -w "$work/$id.pcap" "$filter" 2> "$work/$id.log" &
    echo $! > "$work/$id.pid"
    for _ in $(seq 100); do
        grep -q 'listening on' "$work/$id.log" && return 0
        sleep 0.1
    done
    echo "tcpdump did not start: $(cat "$work/$id.log")" >&2
    exit 1
}

# finish_capture ID: waits for the capture, checks every frame against its pattern, prints the fixtures.
finish_capture() {
    local id=$1
    if ! wait "$(cat "$work/$id.pid")"; then
        echo "capture $id did not see its $(wc -l < "$work/$id.expect") frames: $(cat "$work/$id.log")" >&2
        exit 1
    fi
    tcpdump -r "$work/$id.pcap" -t -nn -e -xx 2> /dev/null | awk -v expect="$work/$id.expect" '
        BEGIN { n = 0; while ((getline line < expect) > 0) { n++; name[n] = substr(line, 1, index(line, ":") - 1); pat[n] = substr(line, index(line, ":") + 1) } }
        /^\t0x/ { sub(/^\t0x[0-9a-f]+: +/, ""); gsub(/ /, ""); hex = hex $0; next }
        {
            if (i > 0) print name[i], hex
            i++; hex = ""
            if (i > n || $0 !~ pat[i]) { print "frame " i " of " expect " does not match /" pat[i] "/: " $0 > "/dev/stderr"; exit 1 }
            print "# " name[i] ": " $0
        }
        END { if (i != n) { print "expected " n " frames, got " i > "/dev/stderr"; exit 1 } print name[i], hex }'
}

cat <<EOF
# Reference frames captured from real implementations by capture-kernel-frames.sh (beside this
# file) on $(date -u +%Y-%m-%d), Linux $(uname -r), $(tcpdump --version 2>&1 | head -1),
# $(arping -V 2>&1 | head -1), $(ndisc6 -V 2>&1 | head -1 | sed 's/ (.*//').
# Namespace A: vethA $MAC_A, 10.0.0.1/24, fd00::1/64; namespace B: vethB $MAC_B, 10.0.0.2/24,
# fd00::2/64; without link-local addresses except fe80::a:1 and fe80::b:1 during the NUD capture.
# Captured with tcpdump on vethA. No VLAN-tagged frames: the kernel this ran on has no 802.1Q
# support (CONFIG_VLAN_8021Q, bridge VLAN filtering and tc act_vlan are all absent), so the tests
# make tagged variants by inserting a tag after the source MAC, as a Linux VLAN device does.
# Format: "# NAME: tcpdump's one-line decode", then "NAME HEX" (the Ethernet frame, no FCS).
EOF

# 1. Address resolution by the kernel: broadcast ARP request from A, B's reply.
start_capture arp 'arp' \
    'arp_request:> ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10.0.0.2 .*tell 10.0.0.1,' \
    'arp_reply:02:00:00:00:0b:01 > 02:00:00:00:0a:01, ethertype ARP .*Reply 10.0.0.2 is-at 02:00:00:00:0b:01,'
ina ping -c 1 -W 2 10.0.0.2 > /dev/null
finish_capture arp

# 2. The same for IPv6: multicast NS from A (with SLLA), B's solicited NA (S=1, O=1, TLLA).
start_capture ndp 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)' \
    'ns_request:fd00::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fd00::2' \
    'na_solicited:fd00::2 > fd00::1: ICMP6, neighbor advertisement, tgt is fd00::2'
ina ping -6 -c 1 -W 2 fd00::2 > /dev/null
finish_capture ndp

# 3. RFC 5227 probe (sender IP 0.0.0.0) from iputils arping -D, and the kernel's answer to it.
start_capture probe '(arp[6:2] == 1 and arp[14:4] == 0) or (arp[6:2] == 2 and arp[24:4] == 0)' \
    'arp_probe:> ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10.0.0.2 .*tell 0.0.0.0,' \
    'arp_probe_reply:02:00:00:00:0b:01 > 02:00:00:00:0a:01, ethertype ARP .*Reply 10.0.0.2 is-at 02:00:00:00:0b:01,'
ina arping -D -c 1 -w 2 -I vethA 10.0.0.2 > /dev/null || true   # exit 1 = "duplicate", as expected
finish_capture probe

# 4. Gratuitous ARP from iputils arping: -U (request form), -A (reply form).
start_capture garp_u 'arp and arp[14:4] == arp[24:4]' \
    'arp_gratuitous_arping:> ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10.0.0.1 .*tell 10.0.0.1,'
ina arping -U -c 1 -I vethA 10.0.0.1 > /dev/null
finish_capture garp_u
start_capture garp_a 'arp and arp[14:4] == arp[24:4]' \
    'arp_gratuitous_reply_arping:> ff:ff:ff:ff:ff:ff, ethertype ARP .*Reply 10.0.0.1 is-at 02:00:00:00:0a:01,'
ina arping -A -c 1 -I vethA 10.0.0.1 > /dev/null
finish_capture garp_a

# 5. A user-space NS (ndisc6, raw socket) and the kernel's NA.
start_capture ndisc6 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)' \
    'ns_ndisc6:fd00::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fd00::2' \
    'na_ndisc6:fd00::2 > fd00::1: ICMP6, neighbor advertisement, tgt is fd00::2'
ina ndisc6 -1 -r 1 -w 2000 fd00::2 vethA > /dev/null
finish_capture ndisc6

# 6. Reachability probes (RFC 1122 unicast poll, RFC 4861 NUD): entries made STALE, a ping moves
#    them to DELAY, one second later A probes by unicast; B answers (the NA with O=0 and no TLLA).
#    The short reachable time lets the last confirmation expire, so DELAY leads to PROBE. A NUD
#    probe is sent from a link-local address (the kernel sends none without one), so both sides
#    get one for this scenario alone.
ip -n "$A" addr add fe80::a:1/64 dev vethA nodad
ip -n "$B" addr add fe80::b:1/64 dev vethB nodad
for fam in ipv4 ipv6; do
    ina sysctl -qw net.$fam.neigh.vethA.delay_first_probe_time=1
    ina sysctl -qw net.$fam.neigh.vethA.base_reachable_time_ms=500
done
sleep 2
ip -n "$A" neigh replace 10.0.0.2 dev vethA lladdr $MAC_B nud stale
start_capture nud4 'arp' \
    'arp_request_unicast:02:00:00:00:0a:01 > 02:00:00:00:0b:01, ethertype ARP .*Request who-has 10.0.0.2 .*tell 10.0.0.1,' \
    'arp_reply_unicast:02:00:00:00:0b:01 > 02:00:00:00:0a:01, ethertype ARP .*Reply 10.0.0.2 is-at 02:00:00:00:0b:01,'
ina ping -c 1 -W 2 10.0.0.2 > /dev/null
finish_capture nud4
ip -n "$A" neigh replace fd00::2 dev vethA lladdr $MAC_B nud stale
start_capture nud6 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)' \
    'ns_unicast:02:00:00:00:0a:01 > 02:00:00:00:0b:01, .*fe80::a:1 > fd00::2: ICMP6, neighbor solicitation, who has fd00::2' \
    'na_unicast:fd00::2 > fe80::a:1: ICMP6, neighbor advertisement, tgt is fd00::2'
ina ping -6 -c 1 -W 2 fd00::2 > /dev/null
finish_capture nud6
for fam in ipv4 ipv6; do
    ina sysctl -qw net.$fam.neigh.vethA.delay_first_probe_time=3600
    ina sysctl -qw net.$fam.neigh.vethA.base_reachable_time_ms=3600000
done
ip -n "$A" addr del fe80::a:1/64 dev vethA
ip -n "$B" addr del fe80::b:1/64 dev vethB

# 7. Duplicate address detection: A tries B's address fd00::2; A's DAD NS (source ::, nonce option
#    of RFC 7527), and B's defence, an NA to all-nodes (S=0, O=1, TLLA).
start_capture dad 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)' \
    'ns_dad::: > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fd00::2' \
    'na_dad_defence:02:00:00:00:0b:01 > 33:33:00:00:00:01, .*fd00::2 > ff02::1: ICMP6, neighbor advertisement, tgt is fd00::2'
ip -n "$A" addr add fd00::2/64 dev vethA
finish_capture dad
ip -n "$A" addr del fd00::2/64 dev vethA

# 8. A's MAC changes (a moved address): the kernel's gratuitous ARP and unsolicited NA.
start_capture moved_arp 'arp' \
    'arp_gratuitous_kernel:02:00:00:00:0a:02 > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10.0.0.1 .*tell 10.0.0.1,'
start_capture moved_na 'icmp6 and ip6[40] == 136' \
    'na_unsolicited_kernel:02:00:00:00:0a:02 > 33:33:00:00:00:01, .*fd00::1 > ff02::1: ICMP6, neighbor advertisement, tgt is fd00::1'
ip -n "$A" link set vethA address $MAC_A_MOVED
finish_capture moved_arp
finish_capture moved_na
ip -n "$A" link set vethA address $MAC_A
