#!/bin/sh
# An HVM guest boots from a disk image (SeaBIOS, syslinux, a device
# model QEMU in dom0), writes a pattern on a second disk, verifies it
# and powers off.  The slowest guest under TCG.  Disks use the qdisk
# backend (the device model serves them): with the default (a loop
# device set up by /etc/xen/scripts/block) the hotplug script timed out
# on a loaded host.
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t0400
boot=/root/$g-boot.img
data=/root/$g-data.img
cp /usr/lib/xk-lab/hvm-disk.img $boot
truncate -s 16M $data
# The guest's orders live in the boot disk's syslinux.cfg.
printf '%s\n' 'DEFAULT xk' 'PROMPT 0' 'TIMEOUT 0' 'LABEL xk' \
    '  KERNEL vmlinuz' '  INITRD guest.gz' \
    "  APPEND console=ttyS0 console=hvc0 quiet xk.marker=$g xk.do=write:xvdb+verify:xvdb+poweroff" \
    >/tmp/$g.syslinux
MTOOLS_SKIP_CHECK=1 mcopy -o -i $boot /tmp/$g.syslinux ::syslinux.cfg ||
    fail "mcopy syslinux.cfg"
{
	grep -v -E '^(name|disk) *=' "$GUESTS/hvm.cfg"
	echo "name = \"$g\""
	echo "disk = [ \"format=raw, vdev=hda, access=rw, backendtype=qdisk, target=$boot\","
	echo "         \"format=raw, vdev=hdb, access=rw, backendtype=qdisk, target=$data\" ]"
} >/tmp/$g.cfg
rm -f $CONSOLE/guest-$g.log
t0=$(now_ms)
create $g
wait_marker $g 600
echo "create to marker: $(( $(now_ms) - t0 )) ms"
wait_gone $g 600
grep -q 'xk-guest: verify ok' $CONSOLE/guest-$g.log ||
    fail "pattern not verified: $(grep xk-guest $CONSOLE/guest-$g.log)"
head -c 30 $data | grep -q "xk-pattern $g" || fail "pattern not on the disk"
rm -f $boot $data /tmp/$g.syslinux
