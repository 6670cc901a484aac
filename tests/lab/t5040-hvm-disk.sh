#!/bin/sh
# An HVM guest boots from a disk image (SeaBIOS, syslinux, a device
# model QEMU in dom0), writes a pattern on a second disk, verifies it
# and powers off.  The slowest guest under TCG.  Disks use the qdisk
# backend (the device model serves them): with the default (a loop
# device set up by /etc/xen/scripts/block) the hotplug script timed out
# on a loaded host.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5040
boot=/root/$g-boot.img
data=/root/$g-data.img
truncate -s 16M $data
guest_cfg hvm $g write:xvdb+verify:xvdb+poweroff \
    "disk = [ \"format=raw, vdev=hda, access=rw, backendtype=qdisk, target=$boot\", \"format=raw, vdev=hdb, access=rw, backendtype=qdisk, target=$data\" ]"
t0=$(now_ms)
create $g
wait_marker $g 600
echo "create to marker: $(( $(now_ms) - t0 )) ms"
wait_gone "$g" 600
grep -q 'xk-guest: verify ok' "$CONSOLE/guest-$g.log" ||
    fail "pattern not verified: $(grep xk-guest "$CONSOLE/guest-$g.log")"
head -c 30 $data | grep -q "xk-pattern $g" || fail "pattern not on the disk"
rm -f $boot $data
