#!/bin/sh
# A guest exported to XVA and imported back boots: a PV guest
# (xk-guest-disk: Linux is not what is tested) writes its pattern on a
# raw disk and powers off; `xk export` makes an XVA of it,
# `xk import` an xl.cfg and disk again; the imported guest, started by
# plain `xl create`, reads the same pattern back.  Its disk is a file
# for blkback through a loop device, set up by the lab's default block
# script (xenkit's: Debian's overran libxl's hotplug timeout under TCG).
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t3500
d=/root/$g
rm -rf $d
mkdir -p $d
truncate -s 64M $d/disk.img
disk_guest_cfg $g pv write:xvda+poweroff \
    "disk = [ \"format=raw, vdev=xvda, access=rw, target=$d/disk.img\" ]"
create $g
wait_marker $g 400
wait_gone "$g" 300
grep -q 'xk-guest: write ok' "$CONSOLE/guest-$g.log" ||
    fail "the guest did not write: $(grep xk-guest "$CONSOLE/guest-$g.log")"

xk export /tmp/$g.cfg -o $d/$g.xva || fail "xk export"
xk inspect $d/$g.xva || fail "xk inspect"
xk import $d/$g.xva -o $d/imp || fail "xk import"
cmp $d/disk.img $d/imp/$g-xvda.img || fail "the imported disk differs"
# the same guest, told to verify this time
sed -e 's/do=write:xvda+poweroff/do=verify:xvda+poweroff/' \
    $d/imp/$g.cfg >/tmp/$g.cfg
grep -q 'verify:xvda' /tmp/$g.cfg ||
    fail "imported config: $(cat /tmp/$g.cfg)"
rm -f "$CONSOLE/guest-$g.log"
create $g
wait_marker $g 400
wait_gone "$g" 300
grep -q 'xk-guest: verify ok' "$CONSOLE/guest-$g.log" ||
    fail "imported guest: $(grep xk-guest "$CONSOLE/guest-$g.log")"
rm -rf $d
