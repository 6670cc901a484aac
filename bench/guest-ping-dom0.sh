#!/bin/sh
# guest-ping-dom0.sh - the dom0 half of bench/guest-ping.sh (copied
# into the lab and run there; see that script).  Prints one line per
# guest: "GUEST TYPE min/avg/max ms (N of N)" for N pings from dom0.
set -u
# shellcheck source=../tests/lab/lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=../tests/lab/events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=../tests/lab/guest-lib.sh
. /usr/lib/xk-lab/tests/guest-lib.sh
n=${1:-20}
br=xkbr-ping
net=10.70.60
HP=/usr/lib/xenkit/hotplug
ug_setup bench-ping
cleanup() {
	ev_cleanup
	ip link del "$br" 2>/dev/null
}
trap cleanup EXIT
PING=ping
command -v ping >/dev/null 2>&1 || PING="busybox ping"
ip link add "$br" type bridge && ip addr add "$net.1/24" dev "$br" &&
    ip link set "$br" up || fail "bridge $br"

# measure NAME ADDR TYPE KIND: warm up (ARP, caches), then N pings
measure() {
	$PING -c 2 -w 60 "$2" >/dev/null 2>&1 || fail "$1: no reply from $2"
	$PING -c "$n" -w $((n * 3 + 30)) "$2" >"/tmp/$1.ping" 2>&1
	got=$(sed -n 's/.* \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p' \
	    "/tmp/$1.ping")
	rtt=$(sed -n 's|.* = \([0-9.]*/[0-9.]*/[0-9.]*\).*|\1|p' \
	    "/tmp/$1.ping")
	printf '%-14s %-4s %s ms (%s of %s)\n' "$4" "$3" "$rtt" "$got" "$n"
}

i=10
for t in pv pvh; do
	i=$((i + 1))
	g=ev-ping-uk-$t
	ug_cfg $g xk-guest-net $t "ip=$net.$i" \
	    "vif = [ \"mac=00:16:3e:70:60:$i, bridge=$br, script=$HP/vif-bridge\" ]"
	create $g
	wait_for 300 said "ready ip $net.$i" || fail "$g: not ready"
	measure $g "$net.$i" $t xk-guest-net
	timeout 120 xl shutdown $g >/dev/null 2>&1
	wait_gone $g 120
done
for t in pv pvh; do
	i=$((i + 1))
	g=ev-ping-linux-$t
	guest_cfg $t $g "ip:$net.$i/24+sleep" \
	    "vif = [ \"mac=00:16:3e:70:60:$i, bridge=$br, script=$HP/vif-bridge\" ]" \
	    'on_crash = "destroy"'
	create $g
	wait_for 600 said "ip $net.$i/24 ok" || fail "$g: no address"
	measure $g "$net.$i" $t "linux ($(grep '^memory' "/tmp/$g.cfg" |
	    tr -dc 0-9) MiB)"
	timeout 60 xl destroy $g >/dev/null 2>&1
	wait_gone $g 120
done
g=
