#!/bin/sh
# xk snapshot create --memory on a real Xen PVH guest with two qdisk
# qcow2 disks: the memory saved through libxl as xl save -c does, the
# disks snapshotted while the guest is suspended, the guest going on;
# then reverts that destroy the domain (when it runs) and restore it
# from the memory image onto the reverted disks: the guest continues
# where it was, without booting again, and its disk is as it was.
#
# The guest (xk-guest-disk: Linux is not what is tested; PVH, as that
# guest saves as PVH only) writes its pattern on xvda, then holds until
# the test releases it and says "released", verifies xvda, then
# sleeps.  The snapshot
# is taken while it holds: a guest restored from it holds again, so it
# says "released" once more when released, and never its boot marker.
# Each restore is a resume in a new domain, where the guest connects
# its disks again.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t4550
a=/root/$g-a.qcow2
b=/root/$g-b.qcow2
export XK_CATALOG=/root/$g.db
rm -f $XK_CATALOG* /root/$g-* /root/xk-mem-*
timeout 60 qemu-img create -q -f qcow2 $a 64M || fail "qemu-img create"
timeout 60 qemu-img create -q -f qcow2 $b 64M || fail "qemu-img create"

# active FILE: the catalog's active image of the disk that began as FILE
active() { snap_active $g "$1"; }
# boot ACTIONS: start the guest on the active images, wait for its marker
boot() {
	disk_guest_cfg $g pvh "$1" "disk = [ \
\"format=qcow2, vdev=xvda, access=rw, backendtype=qdisk, target=$(active $a)\", \
\"format=qcow2, vdev=xvdb, access=rw, backendtype=qdisk, target=$(active $b)\" ]"
	create_retry $g
	wait_marker $g 400
}
# release_nth N: release the guest, which says so and verifies xvda
# through its blkfront for the Nth time: after a restore, through the
# connections it made again in the new domain (counted at each of
# wait_for's tries, not once when the line is read)
release_nth() {
	release "$g"
	wait_for 120 at_least "$1" "verify " ||
	    fail "the guest did not go on from the snapshot point: $(
	    grep xk-guest "$CONSOLE/guest-$g.log")"
	[ "$(count "released")" -eq "$1" ] && [ "$(count "verify ok")" -eq "$1" ] ||
	    fail "release $1: $(grep xk-guest "$CONSOLE/guest-$g.log")"
}

boot "write:xvda+hold+verify:xvda+sleep"
wait_for 300 said "write ok" || fail "guest could not write: $(
    grep xk-guest "$CONSOLE/guest-$g.log")"
said "released" && fail "the guest went on before its release"
id1=$(timeout 20 xl domid $g)

log "create --memory m1"
t0=$(now_ms)
xk snapshot create --memory $g m1 || fail "create --memory m1"
log "create --memory m1 done in $(( $(now_ms) - t0 )) ms"
xk snapshot info $g m1 || fail "info m1"
xk snapshot info --json $g m1 | grep -q '"kind": "memory"' ||
    fail "m1 should be a memory snapshot"
mem=$(ls /root/xk-mem-*-m1-* 2>/dev/null)
[ -s "$mem" ] || fail "no memory image next to the catalog: $(ls /root)"
ls /root/xk-mem-*.tmp 2>/dev/null && fail "a .tmp memory image is left"
[ "$(timeout 20 xl domid $g)" = "$id1" ] || fail "the domain changed"
running || fail "the guest should run after the snapshot: $(xl list)"
# the guest kept running: released, it says so, once
release_nth 1
[ "$(markers $g)" -eq 1 ] || fail "the guest booted again"

# the state after the snapshot, which the revert must discard: the
# domain goes down and xvda's active image gets other data
destroy "$g"
timeout 60 qemu-io -f qcow2 -c "write -P 0x55 0 1M" "$(active $a)" \
    >/dev/null || fail "qemu-io write"

log "revert m1 (the domain is down)"
t0=$(now_ms)
xk snapshot revert $g m1 || fail "revert m1 (domain down)"
log "revert m1 done in $(( $(now_ms) - t0 )) ms"
exists "$g" || fail "the domain should be restored by the revert"
running || fail "the restored guest should run: $(xl list)"
# it goes on holding: a second "released", and no second marker
release_nth 2
[ "$(markers $g)" -eq 1 ] || fail "the restored guest booted again"

log "revert m1 (the domain runs)"
id2=$(timeout 20 xl domid $g)
xk snapshot revert $g m1 || fail "revert m1 (domain running)"
exists "$g" || fail "the domain should be restored by the revert"
id3=$(timeout 20 xl domid $g)
[ "$id3" != "$id2" ] || fail "the running domain was not replaced"
running || fail "the restored guest should run: $(xl list)"
release_nth 3
[ "$(markers $g)" -eq 1 ] || fail "the restored guest booted again"

# a revert killed after the domain was destroyed and its disks reverted
# (step 3): repair restores it
log "revert m1 killed after step 3, then repair"
XK_SNAPSHOT_FAULT=revert:3 xk snapshot revert $g m1
exists "$g" && fail "revert:3 comes after the destroy: the domain should be gone"
xk snapshot list $g | grep -q "interrupted revert" ||
    fail "the interrupted revert should be pending"
xk snapshot repair $g || fail "repair after revert:3"
exists "$g" || fail "repair should restore the domain"
running || fail "the restored guest should run: $(xl list)"
release_nth 4
[ "$(markers $g)" -eq 1 ] || fail "the restored guest booted again"

# the disk is the snapshot's: the guest itself checks it, booted anew
destroy "$g"
timeout 60 qemu-img check -q "$(active $a)" || fail "qemu-img check"
boot "verify:xvda+sleep"
wait_for 300 said "verify " || fail "no verify result"
said "verify ok" || fail "xvda should hold the pattern of m1"
destroy "$g"

# an interrupted memory create is rolled back by repair, and the guest
# it left suspended goes on
boot "sleep"
wait_for 300 said "sleeping" || fail "guest did not reach sleep"
XK_SNAPSHOT_FAULT=create:3 xk snapshot create --memory $g m2
xk snapshot list $g | grep -q "interrupted create" ||
    fail "the interrupted create should be pending"
xk snapshot repair $g || fail "repair after create:3"
xk snapshot list $g | grep -q "interrupted" && fail "still pending"
xk snapshot info $g m2 >/dev/null 2>&1 && fail "m2 should be rolled back"
ls /root/xk-mem-*-m2-* 2>/dev/null && fail "m2's memory image is left"
running || fail "the guest should run again after the repair: $(xl list)"

# delete removes the memory image
xk snapshot delete $g m1 || fail "delete m1"
[ -e "$mem" ] && fail "m1's memory image should be gone"
destroy "$g"
xk snapshot list --tree $g
rm -f $XK_CATALOG* /root/$g-* /root/xk-mem-*
exit 0
