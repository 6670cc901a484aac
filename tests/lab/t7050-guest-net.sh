#!/bin/sh
# xk-guest-net (guest/bin/net.c) answers ping through netfront, as PV
# and as PVH in 4 MiB: its vif on a bridge in dom0 that has an
# address, `ping -c 3` from dom0 gets three replies, dom0's neighbour
# table and arping show the guest's MAC, and `xl shutdown` ends it
# with poweroff (xl and xk monitor see the reason) after it closed its
# vif and counted the three echo requests.  Then a vif whose back end
# never comes: the guest says so on its console within its connect=
# time and crashes.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=guest-lib.sh
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup t7050
[ -s "$UKDIR/xk-guest-net" ] || fail "no $UKDIR/xk-guest-net"
HP=/usr/lib/xenkit/hotplug
br=xkbr7050
net=10.70.50
cleanup() {
	ev_cleanup
	ip link del "$br" 2>/dev/null
}
trap cleanup EXIT
# ping and arping: iputils' where the image has them, else busybox's
PING=ping ARPING=arping
command -v ping >/dev/null 2>&1 || PING="busybox ping"
command -v arping >/dev/null 2>&1 || ARPING="busybox arping"
ip link add "$br" type bridge && ip addr add "$net.1/24" dev "$br" &&
    ip link set "$br" up || fail "bridge $br"
mon_start

n=0
for t in pv pvh; do
	n=$((n + 1))
	g=ev-net-$t
	mac=00:16:3e:70:50:0$n
	addr=$net.1$n
	ug_cfg $g xk-guest-net $t "ip=$addr" \
	    "vif = [ \"mac=$mac, bridge=$br, script=$HP/vif-bridge\" ]"
	create $g
	id=$(ug_domid $g)
	ug_ready "$id" $t
	wait_for 60 said "ready ip $addr mac $mac ($t)" ||
	    fail "no ready line: $(grep xk-guest "$CONSOLE/guest-$g.log")"
	ip neigh flush dev "$br"
	log "$PING -c 3 $addr"
	$PING -c 3 -w 120 "$addr" >"/tmp/$g.ping" 2>&1
	cat "/tmp/$g.ping"
	grep -E -q "3 packets transmitted, 3 (packets )?received" \
	    "/tmp/$g.ping" || fail "no three replies from $addr"
	ip neigh show "$addr" dev "$br" | grep -q "lladdr $mac" ||
	    fail "dom0's neighbour entry: $(ip neigh show "$addr" dev "$br")"
	$ARPING -c 1 -w 60 -I "$br" "$addr" >"/tmp/$g.arping" 2>&1
	cat "/tmp/$g.arping"
	grep -i -q "reply from $addr" "/tmp/$g.arping" ||
	    fail "no ARP reply from $addr"
	# an address that is not the guest's gets no answer
	! $PING -c 1 -w 5 "$net.99" >/dev/null 2>&1 ||
	    fail "$net.99 answered"
	timeout 120 xl shutdown $g || fail "xl shutdown $g"
	wait_for 120 reason $g 0 || fail "no reason code 0 for $g"
	wait_event 120 shutdown $g "$id" poweroff
	said "control poweroff" || fail "the guest did not say it"
	said "answered 3 echo" || fail "not three echo requests answered:" \
	    "$(grep answered "$CONSOLE/guest-$g.log")"
	said closed || fail "the guest did not close its vif:" \
	    "$(grep closing "$CONSOLE/guest-$g.log")"
	grep "xk-guest: answered" "$CONSOLE/guest-$g.log"
	wait_gone $g 120
done

log "a vif whose back end never comes"
g=ev-net-nb
ug_cfg $g xk-guest-net pv "ip=$net.20 vif=device/vif/9 connect=5" \
    'on_crash = "preserve"'
timeout 300 xl create -p "/tmp/$g.cfg" >"/tmp/$g.create" 2>&1 ||
    { cat "/tmp/$g.create"; fail "xl create -p $g"; }
id=$(ug_domid $g)
d=/local/domain/$id/device/vif/9
be=/local/domain/0/backend/vif/$id/9
xenstore-write "$d/backend" "$be" "$d/backend-id" 0 "$d/state" 1 \
    "$d/mac" 00:16:3e:70:50:09 || fail "cannot write $d"
xenstore-chmod -r "$d" "b$id" || fail "cannot give $d to domid $id"
timeout 60 xl unpause $g || fail "xl unpause $g"
wait_for 120 reason $g 3 || fail "$g did not crash"
wait_for 30 said "panic: netfront: device/vif/9: back end $be (domain 0) not InitWait in time: ETIMEDOUT, its state Unknown" ||
    fail "the console does not say why"
destroy $g
g=
mon_stop
