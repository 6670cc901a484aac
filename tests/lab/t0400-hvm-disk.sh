#!/bin/sh
# An HVM guest (SeaBIOS, device model in dom0) with a raw disk image:
# it writes a pattern to the disk, reads it back and powers off.  The
# slowest guest under TCG.
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t0400
img=/root/$g.img
truncate -s 64M $img
guest_cfg hvm $g write:xvda+verify:xvda+poweroff \
    "disk = [ \"format=raw, vdev=xvda, access=rw, target=$img\" ]"
t0=$(now_ms)
create $g
wait_marker $g 600
echo "create to marker: $(( $(now_ms) - t0 )) ms"
wait_gone $g 300
grep -q 'xk-guest: verify ok' $CONSOLE/guest-$g.log ||
    fail "pattern not verified: $(grep xk-guest $CONSOLE/guest-$g.log)"
head -c 20 $img | grep -q "xk-pattern $g" || fail "pattern not on the image"
rm -f $img
