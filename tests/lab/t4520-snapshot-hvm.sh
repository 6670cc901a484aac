#!/bin/sh
# xk snapshot on a real Xen HVM guest (the lab's HVM guests boot from
# AHCI: SeaBIOS reading IDE by PIO takes minutes under TCG).
#
# libxl gives the first six disks of such a guest an emulated AHCI
# device, xvd* ones too, and Xen's unplug does not remove AHCI disks, so
# the device model opens each of those qcow2 images twice: once for
# AHCI, once for the guest's PV driver.  One overlay per device would
# split the guest's writes: xk must refuse, take nothing, and leave the
# guest running.  Disks from xvdg on are PV only (libxl emulates none
# of them), opened once: the guest writes a pattern on xvdh, xk takes a
# live snapshot of xvdh while the guest holds, the guest wipes
# the pattern, and after a revert of the stopped domain the pattern is
# back (checked by a PV guest on the same image: an HVM boot takes a
# minute or more under TCG).  The guest holds (waits on its console
# for the test's release), it does not burn its CPU as the PV tests'
# guests did: an HVM guest busy-looping on date(1)
# under nested TCG was rebooted by Xen (reason code 1) within a minute,
# snapshot or not.  (Live snapshots of a PV guest's disks: t4500; the
# refusal on plain QEMU: tests/snapshot/t4100-snapshot.sh.)
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t4520
d=/root/$g-data.qcow2
h=/root/$g-pv.qcow2
export XK_CATALOG=/root/$g.db
rm -f $XK_CATALOG* /root/$g-*
for f in $d $h; do
	timeout 60 qemu-img create -q -f qcow2 "$f" 64M || fail "qemu-img create"
done

# opened FILE: how many block nodes of the device model have FILE open
opened() { xl qemu-monitor-command "$id" "info block" | grep -c "$1"; }

log "boot the HVM guest: write xvdb and xvdh, hold, wipe xvdh"
guest_cfg hvm $g "write:xvdb+write:xvdh+hold+wipe:xvdh+sleep" \
"disk = [ \
\"format=raw, vdev=hda, access=rw, backendtype=qdisk, target=/root/$g-boot.img\", \
\"format=qcow2, vdev=xvdb, access=rw, backendtype=qdisk, target=$d\", \
\"format=qcow2, vdev=xvdh, access=rw, backendtype=qdisk, target=$h\" ]"
create_retry $g
id=$(timeout 20 xl domid $g)
wait_marker $g 900
wait_for 300 at_least 2 "write " || {
	tail -n 20 "$CONSOLE/guest-$g.log"
	fail "guest: $(grep xk-guest "$CONSOLE/guest-$g.log")"
}
[ "$(grep -c 'xk-guest: write ok' "$CONSOLE/guest-$g.log")" -eq 2 ] ||
    fail "the guest could not write its PV disks: $(
    grep xk-guest "$CONSOLE/guest-$g.log")"
[ "$(opened $d)" -ge 2 ] ||
    fail "expected xvdb's image opened twice, $(opened $d) seen"
[ "$(opened $h)" -eq 1 ] ||
    fail "expected xvdh's image opened once, $(opened $h) seen"

log "create s0 (every disk): refused, xvdb is opened twice"
xk snapshot create $g s0 >/tmp/$g.out 2>&1 &&
    fail "the snapshot of a twice-opened image was taken"
cat /tmp/$g.out
grep -q "are one image, $d, opened twice" /tmp/$g.out ||
    fail "the refusal does not say why"
ls /root/$g-*.qcow2.xk-* 2>/dev/null && fail "an overlay was left"
xl qemu-monitor-command "$id" "info block" | grep -q "qcow2\.xk-" &&
    fail "a device was switched to an overlay"
case $(state $g) in *p*) fail "the guest was left paused" ;; esac
xk snapshot list $g | grep -q s0 && fail "s0 is in the catalog"

log "create s1 of xvdh, live, while the guest holds"
wait_for 120 said "holding" ||
    fail "the guest does not hold: $(grep xk-guest "$CONSOLE/guest-$g.log")"
xk snapshot create --disk xvdh $g s1 || fail "live create s1 of xvdh"
said "released" && fail "the guest went on before the release"
xl qemu-monitor-command "$id" "info block" | grep -q "pv\.qcow2\.xk-" ||
    fail "xvdh should write to its overlay now: $(
    xl qemu-monitor-command "$id" 'info block')"
xk snapshot info --json $g s1
[ "$(xk snapshot info --json $g s1 | grep -c '"backend": "qcow2"')" -eq 1 ] ||
    fail "s1 should hold one disk, xvdh, with the qcow2 backend"
release $g
wait_for 300 said "wipe " ||
    fail "the guest did not wipe xvdh: $(grep xk-guest "$CONSOLE/guest-$g.log")"
said "wipe ok" || fail "the wipe failed: $(grep xk-guest "$CONSOLE/guest-$g.log")"
[ "$(markers $g)" -eq 1 ] || fail "the guest booted again"
destroy "$g"

# pv_verify: a PV guest of the same name verifies xvdh's active image
pv_verify() {
	guest_cfg pv $g "verify:xvdh+sleep" "disk = [ \
\"format=qcow2, vdev=xvdh, access=rw, backendtype=qdisk, target=$(snap_active $g $h)\" ]"
	create_retry $g
	wait_marker $g 400
	wait_for 180 said "verify " ||
	    fail "no verify result: $(grep xk-guest "$CONSOLE/guest-$g.log")"
}

log "the wiped image, before the revert"
pv_verify
said "verify FAILED" || fail "xvdh should not hold the pattern after the wipe"
destroy "$g"

log "revert s1 (the domain is down)"
xk snapshot revert $g s1 || fail "revert s1"
pv_verify
said "verify ok" || fail "after the revert, xvdh should hold the pattern"
destroy "$g"
timeout 60 qemu-img check -q "$(snap_active $g $h)" || fail "qemu-img check"

log "delete s1"
xk snapshot delete $g s1 || fail "delete s1 (domain down)"
xk snapshot list --tree $g
rm -f $XK_CATALOG* /root/$g-* /tmp/$g.out
