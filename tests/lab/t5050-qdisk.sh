#!/bin/sh
# A PV guest with a qcow2 disk served by qdisk: a device-model QEMU runs
# in dom0 with its QMP socket while the guest lives; the guest writes
# and verifies a pattern; everything goes away with the guest.  The
# guest is xk-guest-disk: the device model is what is tested, not Linux.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5050
img=/root/$g.qcow2
timeout 60 qemu-img create -q -f qcow2 $img 64M || fail "qemu-img create"
disk_guest_cfg $g pv write:xvda+verify:xvda+sleep \
    "disk = [ \"format=qcow2, vdev=xvda, access=rw, backendtype=qdisk, target=$img\" ]"
create $g
id=$(timeout 20 xl domid $g)
wait_marker $g 600
has_qmp() { [ -S "/var/run/xen/qmp-libxl-$id" ]; }
wait_for 30 has_qmp || fail "no QMP socket /var/run/xen/qmp-libxl-$id"
pgrep -f -- "-xen-domid $id " >/dev/null || fail "no device model for $id"
verified() { grep -q 'xk-guest: \(verify\|write\) FAILED\|xk-guest: sleeping' \
    "$CONSOLE/guest-$g.log"; }
wait_for 300 verified || fail "guest did not finish its disk work"
grep -q 'xk-guest: verify ok' "$CONSOLE/guest-$g.log" ||
    fail "pattern: $(grep xk-guest "$CONSOLE/guest-$g.log")"
destroy "$g"
dm_gone() { ! pgrep -f -- "-xen-domid $id " >/dev/null; }
wait_for 30 dm_gone || fail "device model of $id outlives the guest"
timeout 60 qemu-img check -q $img || fail "qemu-img check"
rm -f $img
