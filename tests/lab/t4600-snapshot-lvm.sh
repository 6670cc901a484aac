#!/bin/sh
# xk snapshot of a real Xen PV guest whose disks blkback serves (phy:
# LVM volumes, no device model): a live create pauses the domain
# through libxl around lvcreate and lets it go on; a create killed while
# the domain is paused is finished or rolled back by repair, which
# unpauses it; the stopped domain's revert brings the snapshot's data
# back, checked by the guest itself; delete works with the domain
# running.
#
# Disks: xvda a classic LV, xvdb a thin LV (a classic one if this dom0
# cannot make thin pools), in a volume group on a loop device over a
# file in /var/tmp, all removed on any exit; xvdc a plain loop device,
# which no backend can snapshot: a create of every disk is refused,
# naming it, and takes nothing; the others are named with --disk.  Their
# hotplug script is the lab's default block (xenkit's: Debian's overran
# libxl's hotplug timeout under TCG, before xk had anything to do with
# the domain).
#
# The guest (xk-guest-disk: Linux is not what is tested) writes its
# pattern on xvda, holds until the test releases it, then writes the
# pattern on xvdb, and sleeps.  The snapshot is taken while it holds:
# it has the pattern on xvda, not on xvdb.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t4600
vg=xkt4600
T=/var/tmp/$g
export XK_CATALOG=/root/$g.db
loop=""
cloop=""
D="--disk xvda --disk xvdb"

# dom0 has no udev: LVM makes its own device nodes; no dmeventd (the
# leak check would see it), no thin_check (not in the lab image).
rm -rf "$T" "$XK_CATALOG"*
mkdir -p $T/lvm
cat >$T/lvm/lvm.conf <<EOF
activation { udev_sync = 0 udev_rules = 0 verify_udev_operations = 1
    monitoring = 0 }
devices { obtain_device_list_from_udev = 0 use_devicesfile = 0 }
global { use_lvmpolld = 0 thin_check_executable = "" }
EOF
export LVM_SYSTEM_DIR=$T/lvm LVM_SUPPRESS_FD_WARNINGS=1


# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	exists "$g" && timeout 60 xl destroy "$g" >/dev/null 2>&1
	wait_for 60 gone "$g"
	vgremove -q -ff "$vg" >/dev/null 2>&1
	[ -n "$loop" ] && pvremove -q -ff "$loop" >/dev/null 2>&1
	[ -n "$loop" ] && losetup -d "$loop"
	[ -n "$cloop" ] && losetup -d "$cloop"
	rm -rf "$T" "$XK_CATALOG"*
}
trap cleanup EXIT
trap 'exit 1' INT TERM

snaps() { lvs --noheadings -o lv_name $vg | grep -c _xkc; }

modprobe -q loop 2>/dev/null
modprobe -q dm-snapshot 2>/dev/null
modprobe -q dm-thin-pool 2>/dev/null
truncate -s 300M $T/pv.img || fail "truncate"
loop=$(losetup -f --show $T/pv.img) || fail "losetup"
pvcreate -q "$loop" >/dev/null && vgcreate -q $vg "$loop" >/dev/null &&
    lvcreate -q -L 32M -n a $vg >/dev/null || fail "LVM: $(lvs 2>&1)"
if lvcreate -q -L 100M -T $vg/pool >$T/thin.out 2>&1 &&
    lvcreate -q -V 32M -T $vg/pool -n b >>$T/thin.out 2>&1; then
	log "xvdb: a thin volume"
else
	log "xvdb: a classic volume (no thin pool here: $(cat $T/thin.out))"
	lvremove -q -f $vg/pool >/dev/null 2>&1
	lvcreate -q -L 32M -n b $vg >/dev/null || fail "lvcreate b"
fi
[ -b /dev/$vg/a ] && [ -b /dev/$vg/b ] || fail "no /dev/$vg/a or b"
truncate -s 16M $T/c.img || fail "truncate"
cloop=$(losetup -f --show $T/c.img) || fail "losetup c"

# boot ACTIONS: start the guest on the two volumes, wait for its marker
boot() {
	disk_guest_cfg $g pv "$1" "disk = [ \
\"format=raw, vdev=xvda, access=rw, target=/dev/$vg/a\", \
\"format=raw, vdev=xvdb, access=rw, target=/dev/$vg/b\", \
\"format=raw, vdev=xvdc, access=rw, target=$cloop\" ]"
	create_retry $g
	wait_marker $g 400
}

log "boot: write xvda, hold, write xvdb"
boot "write:xvda+hold+write:xvdb+sleep"
wait_for 300 said "write ok" || fail "guest could not write: $(
    grep xk-guest "$CONSOLE/guest-$g.log")"
id=$(timeout 20 xl domid $g)
[ -S "/var/run/xen/qmp-libxl-$id" ] && fail "the domain has a device model"

log "create s0 (every disk): refused, xvdc cannot be snapshotted"
xk snapshot create $g s0 >$T/out 2>&1 && fail "create of every disk"
cat $T/out
grep -q "disk xvdc ($cloop) cannot be snapshotted: block device $cloop \
is not an LVM logical volume" $T/out || fail "the refusal should name xvdc"
grep -q "nothing was taken" $T/out || fail "the refusal should say so"
[ "$(snaps)" -eq 0 ] || fail "s0 left volumes: $(lvs $vg)"
running || fail "the domain should run after the refusal: $(xl list)"
xk snapshot info $g s0 >/dev/null 2>&1 && fail "s0 should not exist"

log "create s1 (live) of xvda and xvdb"
t0=$(now_ms)
# shellcheck disable=SC2086 # $D: two --disk options, split on purpose
XK_SNAPSHOT_TIMING=1 xk snapshot create $D $g s1 || fail "live create s1"
log "create s1 done in $(( $(now_ms) - t0 )) ms"
said "released" && fail "the guest went on before its release"
[ "$(timeout 20 xl domid $g)" = "$id" ] || fail "the domain changed"
running || fail "the domain should run after the snapshot: $(xl list)"
xk snapshot info --json $g s1
[ "$(xk snapshot info --json $g s1 | grep -c '"backend": "lvm"')" -eq 2 ] ||
    fail "s1 should hold both disks, with the lvm backend"
[ "$(snaps)" -eq 2 ] || fail "s1 should be two LVM snapshots: $(lvs $vg)"

# killed while the domain is paused, after the copies (the commit
# point): repair finishes the create and unpauses the domain
# shellcheck disable=SC2086 # $D: two --disk options, split on purpose
create_killed_at_commit s2 $D
[ "$(snaps)" -eq 4 ] || fail "s2 should be two LVM snapshots: $(lvs $vg)"

# killed while paused, before the copies: rolled back, unpaused
log "create s3 killed in the pause, before the copies, then repair"
# shellcheck disable=SC2086 # $D: two --disk options, split on purpose
XK_SNAPSHOT_FAULT=pause:1 xk snapshot create $D $g s3
paused || fail "pause:1 comes before the unpause: $(xl list $g)"
xk snapshot repair $g || fail "repair after pause:1"
running || fail "repair should unpause the domain: $(xl list $g)"
xk snapshot info $g s3 >/dev/null 2>&1 && fail "s3 should be rolled back"
[ "$(snaps)" -eq 4 ] || fail "s3 should have left no volume: $(lvs $vg)"

# a domain the user paused stays paused
log "create s4 of a domain paused by xl pause"
timeout 20 xl pause $g || fail "xl pause"
# shellcheck disable=SC2086 # $D: two --disk options, split on purpose
xk snapshot create $D $g s4 || fail "create s4 (paused domain)"
paused || fail "the domain paused by xl pause should stay paused"
timeout 20 xl unpause $g || fail "xl unpause"
running || fail "xl unpause should let it run: $(xl list $g)"

log "delete s2 and s4 (the domain runs)"
xk snapshot delete $g s2 || fail "delete s2 (domain running)"
xk snapshot delete $g s4 || fail "delete s4 (domain running)"
[ "$(snaps)" -eq 2 ] || fail "s2's and s4's volumes should be gone: $(lvs $vg)"
running || fail "the domain should still run: $(xl list $g)"

# the guest writes xvdb after the snapshot
release "$g"
wrote_twice 300
[ "$(markers $g)" -eq 1 ] || fail "the guest booted again"
destroy "$g"
# and xvda gets other data while the domain is down
dd if=/dev/urandom of=/dev/$vg/a bs=64k count=16 conv=fsync 2>/dev/null ||
    fail "dd over xvda"

revert_verified s1 "ok FAILED"

log "delete s1 (the domain runs)"
xk snapshot delete $g s1 || fail "delete s1 (domain running)"
[ "$(snaps)" -eq 0 ] || fail "s1's volumes should be gone: $(lvs $vg)"
running || fail "the domain should still run: $(xl list $g)"
xk snapshot list --tree $g
destroy "$g"
exit 0
