#!/bin/sh
# xenkit's vif-ganeti (share/hotplug/vif-ganeti) under xl, as Ganeti
# configures a NIC: no bridge in the vif spec, the NIC's MODE and LINK
# in Ganeti's NIC file of the instance.  An xk-guest-net guest named
# gnt1 with MODE=bridged LINK=xkbr8540 joins that bridge and answers
# three pings from dom0; one named gnt2--incoming (libxl's name for a
# migration's receiving end) finds the NIC file of gnt2; a NIC without
# a file, a routed one without IP, and a mode this script does not do,
# fail xl create with the reason.  MODE=routed, with LINK a routing
# table and without: the guest's route, proxy ARP and forwarding, the
# rule to the table, dom0's pings answered, nothing left after the
# destroy.  (MODE=openvswitch: t8530.)  The vif hooks hold the
# Synnefo-style MAC filter (share/hotplug/hooks/mac-filter, ebtables):
# its chain is there while the guest runs and gone after it, gnt1's
# own MAC passes, and a guest whose NIC file gives another MAC than
# the one it uses gets no reply through.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
W=/var/tmp/t8540
br=xkbr8540
net=10.85.40
export XK_HOTPLUG_LOG=$W/hotplug.log XK_HOTPLUG_GANETI_NIC_DIR=$W/nic \
    XK_HOTPLUG_HOOKS=$W/hooks
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_guests_cleanup $?
	ip link del "$br" 2>/dev/null
	while ip rule del table 100 2>/dev/null; do :; done	# routed()'s
	ebtables -F FORWARD 2>/dev/null && ebtables -F INPUT && ebtables -X
	rm -rf "$W"
}
trap cleanup EXIT
rm -rf "$W"
mkdir -p "$W/hooks/vif/online.d" "$W/hooks/vif/offline.d" || fail mkdir
for a in online offline; do
	ln -s "$HP/hooks/mac-filter" "$W/hooks/vif/$a.d/50-mac-filter" || fail ln
done
# master_of IF: the bridge IF belongs to
master_of() { _m=$(readlink "/sys/class/net/$1/master"); echo "${_m##*/}"; }
# filtered VIF: the MAC filter's chain for VIF exists, FORWARD sends to it
filtered() {
	ebtables -L "FROM-$1" >/dev/null 2>&1 &&
	    ebtables -L FORWARD | grep -q -- "-i $1 -j FROM-$1"
}
ip link add "$br" type bridge && ip addr add "$net.1/24" dev "$br" &&
    ip link set "$br" up || fail "bridge $br"

# guest NAME IP MAC: an xk-guest-net guest whose vif names no bridge
guest() {
	net_guest "$1" "$2" "mac=$3, script=$HP/vif-ganeti"
}
# nic INSTANCE LINE...: Ganeti's file of the instance's NIC 0
nic() {
	mkdir -p "$W/nic/$1" || fail mkdir
	_i=$1
	shift
	printf '%s\n' "$@" >"$W/nic/$_i/0"
}

log "gnt1: MODE=bridged LINK=$br from its NIC file"
nic gnt1 MODE=bridged "LINK=$br" MAC=00:16:3e:85:40:02
guest gnt1 "$net.2" 00:16:3e:85:40:02
create gnt1
net_ready gnt1
vif=vif$(timeout 20 xl domid gnt1).0
[ "$(master_of "$vif")" = "$br" ] || fail "$vif is not on $br: $(master_of "$vif")"
$PING -c 3 -w 60 "$net.2" >"$W/ping" 2>&1
cat "$W/ping"
grep -E -q "3 packets transmitted, 3 (packets )?received" "$W/ping" ||
    fail "no three replies from $net.2"
filtered "$vif" || fail "no MAC filter for $vif: $(ebtables -L)"
ebtables -L "FROM-$vif"
timeout 60 xl destroy gnt1 || fail "xl destroy gnt1"
wait_for 30 sh -c "! ebtables -L FROM-$vif >/dev/null 2>&1" ||
    fail "the MAC filter of $vif outlives it: $(ebtables -L)"
ebtables -L FORWARD | grep -q -- "-i $vif" && fail "FORWARD still sends $vif"

log "gnt5: its NIC file gives another MAC than its own: filtered out"
nic gnt5 MODE=bridged "LINK=$br" MAC=00:16:3e:85:40:77
guest gnt5 "$net.5" 00:16:3e:85:40:05
create gnt5
net_ready gnt5
! $PING -c 2 -w 5 "$net.5" >/dev/null 2>&1 ||
    fail "$net.5 answered through a filter for another MAC"
timeout 60 xl destroy gnt5 || fail "xl destroy gnt5"

log "gnt2--incoming: the NIC file of gnt2"
nic gnt2 MODE=bridged "LINK=$br"
guest gnt2--incoming "$net.3" 00:16:3e:85:40:03
timeout 120 xl create -p /tmp/gnt2--incoming.cfg || fail "xl create gnt2--incoming"
grep -q "hook environment from $W/nic/gnt2/0" "$XK_HOTPLUG_LOG" ||
    fail "gnt2's NIC file was not read: $(tail -n 5 "$XK_HOTPLUG_LOG")"
vif=vif$(timeout 20 xl domid gnt2--incoming).0
[ "$(master_of "$vif")" = "$br" ] || fail "$vif is not on $br: $(master_of "$vif")"
timeout 60 xl destroy gnt2--incoming || fail "xl destroy gnt2--incoming"

# refused NAME WHAT: xl create of NAME fails saying WHAT
refused() {
	guest "$1" "$net.9" 00:16:3e:85:40:09
	if timeout 120 xl create -p "/tmp/$1.cfg" >"$W/create" 2>&1; then
		fail "$1: xl create succeeded"
	fi
	cat "$W/create"
	grep -q -- "$2" "$W/create" || fail "$1: xl create did not say '$2'"
	exists "$1" && fail "$1 is left over"
	return 0
}
# routed NAME IP [TABLE]: a MODE=routed guest at IP (LINK=TABLE), up,
# its route in TABLE (main without), proxy ARP and forwarding on, dom0's
# pings answered (dom0 sends to TABLE as the uplink's router would);
# after its destroy no rule or route is left
routed() {
	nic "$1" MODE=routed "IP=$2" ${3:+"LINK=$3"}
	guest "$1" "$2" "$4"
	create "$1"
	net_ready "$1"
	vif=vif$(timeout 20 xl domid "$1").0
	ip route show table "${3:-main}" | grep -q "^$2 dev $vif proto static" ||
	    fail "$2 not routed to $vif in table ${3:-main}: $(ip route show table "${3:-main}")"
	for k in proxy_arp forwarding; do
		[ "$(cat "/proc/sys/net/ipv4/conf/$vif/$k")" = 1 ] ||
		    fail "$k is not on for $vif"
	done
	if [ -n "${3:-}" ]; then
		ip rule show | grep -E -q "iif $vif lookup $3( |\$)" ||
		    fail "no rule from $vif to table $3: $(ip rule show)"
		ip rule add to "$2" table "$3" || fail "ip rule add to $2"
	fi
	$PING -c 3 -w 60 "$2" >"$W/ping" 2>&1
	cat "$W/ping"
	[ -z "${3:-}" ] || ip rule del to "$2" table "$3"
	grep -E -q "3 packets transmitted, 3 (packets )?received" "$W/ping" ||
	    fail "no three replies from $2 (routed)"
	timeout 60 xl destroy "$1" || fail "xl destroy $1"
	wait_for 30 unrouted "$2" "${3:-main}" ||
	    fail "$2 still routed after the destroy"
	wait_for 30 no_rule_for "$vif" || fail "a rule for $vif outlives it"
}
# shellcheck disable=SC2317 # called through wait_for
unrouted() { ! ip route show table "$2" | grep -q "^$1 "; }
# shellcheck disable=SC2317 # called through wait_for
no_rule_for() { ! ip rule show | grep -q "iif $1 "; }
log "gnt6: MODE=routed LINK=100 (a routing table)"
routed gnt6 10.85.41.2 100 00:16:3e:85:40:06
log "gnt7: MODE=routed, no LINK (the main table)"
routed gnt7 10.85.42.2 "" 00:16:3e:85:40:07

log "failures"
refused gnt3 "no Ganeti NIC file $W/nic/gnt3/0"
nic gnt4 MODE=routed LINK=100
refused gnt4 "MODE=routed without IP"
nic gnt8 MODE=nat LINK=100
refused gnt8 "MODE=nat: not bridged, openvswitch or routed"
exit 0
