#!/bin/sh
# xenkit's vif-nat (share/hotplug/vif-nat) under xl, with dnsmasq as its
# DHCP server:
# - a Linux guest (its DHCP client is what is tested, busybox's udhcpc)
#   with no ip= gets Xen's address for it, 10.D/256.D%256.1/16, dom0's
#   router address (.128) as its default route and domD as its host
#   name, by DHCP from the vif's own dnsmasq; dom0 pings it there;
# - with ip=, that address and its router;
# - the dnsmasq goes with the guest, and nothing is left in the run
#   directory;
# - an address without a router address (last byte over 128) and a
#   list of two addresses are refused, saying why.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
T=/var/tmp/t8580
g=xk-t8580
MAC=00:16:3e:85:80:01
RUN=/run/xenkit-vif-nat
export XK_HOTPLUG_LOG=$T/hotplug.log
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_failed_log $?
	exists "$g" && timeout 60 xl destroy "$g" >/dev/null 2>&1
	pkill -x dnsmasq
	rm -rf "$T" "/tmp/$g.cfg" "/var/log/xen/xl-$g.log"* "$RUN"
}
trap cleanup EXIT
rm -rf $T
mkdir -p $T
command -v dnsmasq >/dev/null || fail "no dnsmasq in dom0"
# shellcheck disable=SC2317 # called through wait_for
no_dnsmasq() { ! pgrep -x dnsmasq >/dev/null; }
no_dnsmasq || fail "a dnsmasq runs already"

# leased VIF-IP ROUTER: the guest $g boots, asks for its address and
# says it got VIF-IP with ROUTER (auto: Xen's for its domid, vif 0);
# dom0 pings it; it goes, and its dnsmasq with it
leased() {
	timeout 120 xl create "/tmp/$g.cfg" >$T/create.out 2>&1 || {
		cat $T/create.out
		fail "xl create"
	}
	id=$(xl domid $g)
	if [ "$1" = auto ]; then
		set -- "10.$((id / 256)).$((id % 256)).1" \
		    "10.$((id / 256)).$((id % 256)).128"
	fi
	[ -f "$RUN/vif$id.0.pid" ] || fail "no dnsmasq pid file for vif$id.0"
	pgrep -x dnsmasq >/dev/null || fail "no dnsmasq running"
	wait_for 120 said "dhcp " ||
	    fail "no DHCP answer: $(grep xk-guest "$CONSOLE/guest-$g.log")"
	grep "xk-guest: dhcp" "$CONSOLE/guest-$g.log"
	said "dhcp $1/16 router $2 host dom$id" ||
	    fail "not the lease wanted ($1/16, router $2, dom$id)"
	$PING -c 1 -W 5 "$1" >/dev/null ||
	    fail "dom0 cannot ping the guest at $1"
	destroy $g
	wait_for 30 no_dnsmasq || fail "the vif's dnsmasq outlived it"
	[ -z "$(ls -A $RUN 2>/dev/null)" ] || fail "left in $RUN: $(ls $RUN)"
}

log "no ip=: Xen's address for domain and vif, by DHCP"
guest_cfg pv $g dhcp+sleep "vif = [ \"mac=$MAC, script=$HP/vif-nat\" ]"
leased auto

log "ip=10.85.80.7/16: that address"
guest_cfg pv $g dhcp+sleep "vif = [ \"mac=$MAC, ip=10.85.80.7/16, script=$HP/vif-nat\" ]"
leased 10.85.80.7 10.85.80.134

log "refused"
for bad in "10.85.80.200/16|the last byte + 127 is over 255" \
    "10.85.80.7 10.85.80.8|vif-nat routes one address"; do
	disk_guest_cfg $g pv sleep "vif = [ \"mac=$MAC, ip=${bad%|*}, script=$HP/vif-nat\" ]"
	hp_refused $g "${bad#*|}"
	no_dnsmasq || fail "ip=${bad%|*}: a dnsmasq is left"
done
exit 0
