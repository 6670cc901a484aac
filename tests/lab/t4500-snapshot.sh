#!/bin/sh
# xk snapshot on a real Xen PV guest with two qdisk qcow2 disks: live
# snapshots through the device model's QMP socket (with libxl's QMP
# lock), reverts of the running domain (booted again) and of the
# stopped one, a live delete that streams data inside Xen's QEMU, and
# the guest itself checking its disk each time.  The guest is
# xk-guest-disk (disk_guest_cfg): Linux is not what is tested here.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t4500
a=/root/$g-a.qcow2
b=/root/$g-b.qcow2
export XK_CATALOG=/root/$g.db
rm -f $XK_CATALOG* /root/$g-*
timeout 60 qemu-img create -q -f qcow2 $a 64M || fail "qemu-img create"
timeout 60 qemu-img create -q -f qcow2 $b 64M || fail "qemu-img create"

# active FILE: the catalog's active image of the disk that began as FILE
active() { snap_active $g "$1"; }
# boot [ACTIONS]: start the guest on the active images, wait for its
# work (then it sleeps)
boot() {
	disk_guest_cfg $g pv "${1:+$1+}sleep" "disk = [ \
\"format=qcow2, vdev=xvda, access=rw, backendtype=qdisk, target=$(active $a)\", \
\"format=qcow2, vdev=xvdb, access=rw, backendtype=qdisk, target=$(active $b)\" ]"
	create_retry $g
	id=$(timeout 20 xl domid $g)
	uuid=$(timeout 20 xl list -v $g | awk 'NR == 2 { print $7 }')
	wait_marker $g 400
	wait_for 30 test -S "/var/run/xen/qmp-libxl-$id" ||
	    fail "no QMP socket for $id"
	wait_for 180 grep -q 'xk-guest: sleeping' "$CONSOLE/guest-$g.log" || {
		tail -n 20 "$CONSOLE/guest-$g.log"
		xl qemu-monitor-command "$id" "info block"
		xenstore-ls -f /local/domain/0/backend | grep -E 'state|params'
		for f in $(active "$a") $(active "$b"); do qemu-img info -U "$f"; done
		fail "guest: $(grep xk-guest "$CONSOLE/guest-$g.log")"
	}
	QMP="--qmp /var/run/xen/qmp-libxl-$id \
	    --qmp-lock /var/lib/xen/userdata-l.$id.$uuid.qmp-socket-lock"
}

boot
# shellcheck disable=SC2086
xk snapshot create $QMP $g s0 || fail "live create s0"
xl qemu-monitor-command "$id" "info block"
xk snapshot list --json $g
n=$(xk snapshot list --json $g | grep -c '"vdev"')
[ "$n" -ge 4 ] || fail "s0 should hold 2 disks: $(xk snapshot list --json $g)"
destroy "$g"

boot write:xvda
said "write ok" || fail "guest could not write"
# found through libxl this time: domain name -> domid, QMP socket, lock
xk snapshot create $g s1 --description "pattern on xvda" ||
    fail "live create s1 (domain found through libxl)"
destroy "$g"

# the running domain's revert: destroyed, its disks reverted, booted
# again from the configuration it ran with (its orders: verify xvda)
boot verify:xvda
said "verify ok" || fail "the pattern should be there before the revert"
xk snapshot revert $g s0 || fail "revert the running domain to s0"
id2=$(timeout 20 xl domid $g) || fail "the domain should run again"
[ "$id2" != "$id" ] || fail "the domain should have been booted again"
wait_for 300 at_least 2 "verify " ||
    fail "no verify after the revert: $(grep xk-guest "$CONSOLE/guest-$g.log")"
[ "$(verdicts)" = "ok FAILED" ] ||
    fail "s0 should not hold the pattern: verify says $(verdicts)"
destroy "$g"

xk snapshot revert $g s1 || fail "revert the stopped domain to s1"
boot verify:xvda
said "verify ok" || fail "s1 should hold the pattern"
# a live delete: s0's data is streamed into s1's image inside Xen's QEMU
xk snapshot delete $g s0 || fail "live delete s0"
destroy "$g"
timeout 60 qemu-img check -q "$(active $a)" || fail "qemu-img check"
boot verify:xvda
said "verify ok" || fail "the pattern should survive deleting s0"
destroy "$g"
xk snapshot list --tree $g
rm -f $XK_CATALOG* /root/$g-*
