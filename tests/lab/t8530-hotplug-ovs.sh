#!/bin/sh
# xenkit's vif-openvswitch (share/hotplug/vif-openvswitch) under xl,
# against Open vSwitch running in dom0 (ovsdb-server and ovs-vswitchd
# of Debian's openvswitch-switch, started here in a directory of the
# test's own, OVS_RUNDIR, which xl passes on to the script): two
# xk-guest-net guests with addresses in one subnet, one on VLAN 10
# (bridge=xkovs0.10), one on VLAN 20; dom0's internal port on VLAN 10
# gets three replies from the first and none from the second; each
# guest's port carries its tag and the external ids Xen's script sets.
# A trunk (bridge=xkovs0:10:20) is a port with those trunks; vif-ganeti
# with Ganeti's MODE=openvswitch LINK=xkovs0 VLAN=.10 makes a port on
# VLAN 10; a bridge
# that Open vSwitch does not have and a tag that is not a VLAN fail xl
# create with the reason; every port goes with its guest.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
W=/var/tmp/t8530
br=xkovs0
net=10.85.30
export XK_HOTPLUG_LOG=$W/hotplug.log OVS_RUNDIR=$W/ovs OVS_DBDIR=$W/ovs \
    OVS_LOGDIR=$W/ovs XK_HOTPLUG_GANETI_NIC_DIR=$W/nic
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_guests_cleanup $?
	ovs-vsctl --timeout=10 --if-exists del-br "$br" 2>/dev/null
	for p in ovs-vswitchd ovsdb-server; do
		[ -f "$W/ovs/$p.pid" ] && kill "$(cat "$W/ovs/$p.pid")" 2>/dev/null
	done
	ovs-dpctl del-dp ovs-system 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
rm -rf "$W"
mkdir -p "$W/ovs" || fail mkdir

log "Open vSwitch in dom0"
modprobe openvswitch || fail "no openvswitch module"
ovsdb-tool create "$W/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
    fail "ovsdb-tool create"
ovsdb-server "$W/ovs/conf.db" --remote="punix:$W/ovs/db.sock" \
    --pidfile="$W/ovs/ovsdb-server.pid" --log-file="$W/ovs/ovsdb.log" \
    --detach || fail "ovsdb-server"
ovs-vsctl --timeout=30 --no-wait init || fail "ovs-vsctl init"
ovs-vswitchd --pidfile="$W/ovs/ovs-vswitchd.pid" \
    --log-file="$W/ovs/vswitchd.log" --detach || fail "ovs-vswitchd"
ovs-vsctl --timeout=30 add-br $br -- \
    add-port $br xkp10 tag=10 -- set interface xkp10 type=internal ||
    fail "the bridge and dom0's port"
ip addr add "$net.1/24" dev xkp10 && ip link set $br up &&
    ip link set xkp10 up || fail "dom0's address"

# guest NAME TAGGING IP MAC: an xk-guest-net guest on $br$TAGGING
guest() {
	net_guest "$1" "$3" "mac=$4, bridge=$br$2, script=$HP/vif-openvswitch"
}
# port_of NAME: the guest's port (vifDOMID.0)
port_of() { echo "vif$(timeout 20 xl domid "$1").0"; }
get() { ovs-vsctl --timeout=30 get "$@" | tr -d '"'; }
# only_dom0_port: the bridge holds dom0's port and nothing else
# shellcheck disable=SC2317 # called through wait_for
only_dom0_port() { [ "$(ovs-vsctl --timeout=30 list-ports "$br")" = xkp10 ]; }

log "a guest on VLAN 10 and one on VLAN 20"
guest ovs10 .10 "$net.2" 00:16:3e:85:30:02
guest ovs20 .20 "$net.3" 00:16:3e:85:30:03
for g in ovs10 ovs20; do
	create $g
done
for g in ovs10 ovs20; do
	net_ready $g
done
p10=$(port_of ovs10) p20=$(port_of ovs20)
[ "$(get port "$p10" tag)" = 10 ] || fail "$p10: tag $(get port "$p10" tag)"
[ "$(get port "$p20" tag)" = 20 ] || fail "$p20: tag $(get port "$p20" tag)"
[ "$(get interface "$p10" external-ids:attached-mac)" = 00:16:3e:85:30:02 ] ||
    fail "$p10: attached-mac $(get interface "$p10" external-ids:attached-mac)"
[ "$(get interface "$p10" external-ids:xen-vm-name)" = ovs10 ] ||
    fail "$p10: xen-vm-name $(get interface "$p10" external-ids:xen-vm-name)"

log "$PING -c 3 $net.2 (VLAN 10, as dom0's port)"
$PING -c 3 -w 60 "$net.2" >"$W/ping" 2>&1
cat "$W/ping"
grep -E -q "3 packets transmitted, 3 (packets )?received" "$W/ping" ||
    fail "no three replies from $net.2"
log "$net.3 is on VLAN 20: no answer"
! $PING -c 2 -w 5 "$net.3" >/dev/null 2>&1 || fail "$net.3 answered across VLANs"

log "the guests go, and their ports"
for g in ovs10 ovs20; do
	timeout 60 xl destroy $g || fail "xl destroy $g"
done
wait_for 30 only_dom0_port ||
    fail "ports left: $(ovs-vsctl list-ports $br)"

log "a trunk: bridge=$br:10:20"
guest ovst ":10:20" "$net.4" 00:16:3e:85:30:04
timeout 120 xl create -p /tmp/ovst.cfg || fail "xl create -p ovst"
pt=$(port_of ovst)
[ "$(get port "$pt" trunks)" = "[10, 20]" ] ||
    fail "$pt: trunks $(get port "$pt" trunks)"
timeout 60 xl destroy ovst || fail "xl destroy ovst"

log "vif-ganeti: MODE=openvswitch LINK=$br VLAN=.10 from Ganeti's NIC file"
mkdir -p "$W/nic/ovsg" || fail mkdir
printf '%s\n' MODE=openvswitch "LINK=$br" VLAN=.10 >"$W/nic/ovsg/0"
guest ovsg "" "$net.6" 00:16:3e:85:30:06
sed -i "s|bridge=$br, script=$HP/vif-openvswitch|script=$HP/vif-ganeti|" /tmp/ovsg.cfg
timeout 120 xl create -p /tmp/ovsg.cfg || fail "xl create -p ovsg"
pg=$(port_of ovsg)
[ "$(get port "$pg" tag)" = 10 ] || fail "$pg: tag $(get port "$pg" tag)"
timeout 60 xl destroy ovsg || fail "xl destroy ovsg"

# refused SUFFIX WHAT: a guest on $br$SUFFIX is not created, xl create
# says WHAT, no port is left
refused() {
	guest ovsx "$1" "$net.5" 00:16:3e:85:30:05
	if timeout 120 xl create -p /tmp/ovsx.cfg >"$W/create" 2>&1; then
		fail "bridge=$br$1: xl create succeeded"
	fi
	cat "$W/create"
	grep -q -- "$2" "$W/create" || fail "bridge=$br$1: xl create did not say '$2'"
	exists ovsx && fail "ovsx is left over"
	[ "$(ovs-vsctl --timeout=30 list-ports $br)" = xkp10 ] ||
	    fail "ports left: $(ovs-vsctl list-ports $br)"
}
log "failures"
refused .4096 "VLAN tag '4096' is not 1 to 4095"
guest ovsx "" "$net.5" 00:16:3e:85:30:05
sed -i "s|bridge=$br,|bridge=nosuch,|" /tmp/ovsx.cfg
timeout 120 xl create -p /tmp/ovsx.cfg >"$W/create" 2>&1 &&
    fail "bridge=nosuch: xl create succeeded"
cat "$W/create"
grep -q "nosuch is not an Open vSwitch bridge" "$W/create" ||
    fail "bridge=nosuch: xl create did not say so"
exit 0
