#!/bin/sh
# xk snapshot on a real Xen HVM guest whose disks are AHCI (the lab's
# HVM guests boot from AHCI: SeaBIOS reading IDE by PIO takes minutes
# under TCG).  libxl gives every disk of such a guest an emulated AHCI
# device, xvd* ones too, and Xen's unplug does not remove AHCI disks, so
# the device model opens each qcow2 image twice: once for AHCI, once for
# the guest's PV driver.  One overlay per device would split the guest's
# writes: xk must refuse, take nothing, and leave the guest running.
# (Live snapshots of a device model's disks: t5100; the refusal on plain
# QEMU: tests/snapshot/t5100-snapshot.sh.)
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5120
d=/root/$g-data.qcow2
export XK_CATALOG=/root/$g.db
rm -f $XK_CATALOG* /root/$g-*
timeout 60 qemu-img create -q -f qcow2 $d 64M || fail "qemu-img create"

guest_cfg hvm $g "write:xvdb+sleep" "disk = [ \
\"format=raw, vdev=hda, access=rw, backendtype=qdisk, target=/root/$g-boot.img\", \
\"format=qcow2, vdev=xvdb, access=rw, backendtype=qdisk, target=$d\" ]"
create_retry $g
id=$(timeout 20 xl domid $g)
wait_marker $g 900
wait_for 300 grep -q 'xk-guest: sleeping' $CONSOLE/guest-$g.log || {
	tail -n 20 $CONSOLE/guest-$g.log
	fail "guest: $(grep xk-guest $CONSOLE/guest-$g.log)"
}
grep -q 'xk-guest: write ok' $CONSOLE/guest-$g.log ||
    fail "the guest could not write its PV data disk"
n=$(xl qemu-monitor-command $id "info block" | grep -c "$d")
[ "$n" -ge 2 ] || fail "expected the data image opened twice, $n seen"

xk snapshot create $g s0 >/tmp/$g.out 2>&1 &&
    fail "the snapshot of a twice-opened image was taken"
cat /tmp/$g.out
grep -q "are one image, $d, opened twice" /tmp/$g.out ||
    fail "the refusal does not say why"
ls /root/$g-data.qcow2.xk-* 2>/dev/null && fail "an overlay was left"
xl qemu-monitor-command $id "info block" | grep -q "qcow2\.xk-" &&
    fail "a device was switched to an overlay"
state=$(timeout 20 xl list $g | awk 'NR == 2 { print $5 }')
case $state in *p*) fail "the guest was left paused" ;; esac
xk snapshot list $g | grep -q s0 && fail "s0 is in the catalog"
destroy $g
rm -f $XK_CATALOG* /root/$g-* /tmp/$g.out
