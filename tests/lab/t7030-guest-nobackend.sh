#!/bin/sh
# A front end's first step (xk-guest-xs's "attach": publish
# Initialising, wait for the back end's InitWait or Connected) with a
# back end that answers (blkback serving a loop device) and with one
# that never comes (a vbd whose front-end nodes dom0 writes by hand,
# pointing at a back end node nobody creates): the guest says so on its
# console within its own timeout and crashes; it never waits for ever.
# The disk's hotplug script is the lab's default block (xenkit's:
# Debian's overruns libxl's hotplug timeout under TCG); not qdisk, whose
# device model QEMU libxl gives up on under a loaded host.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=guest-lib.sh
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup t7030
T=/var/tmp/t7030
loop=
cleanup() {
	ev_cleanup
	[ -z "$loop" ] || losetup -d "$loop"
	rm -rf $T
}
trap cleanup EXIT
rm -rf $T
mkdir -p $T

log "a back end that answers: blkback on a loop device"
g=ev-nb-disk
truncate -s 1M $T/disk.img || fail "truncate"
loop=$(losetup -f --show $T/disk.img) || fail "losetup"
ug_cfg $g xk-guest-xs pv "timeout=900" \
    "disk = [ \"format=raw, vdev=xvda, access=rw, backendtype=phy, target=$loop\" ]"
create $g
id=$(ug_domid $g)
ug_ready "$id" pv
be=$(xenstore-read "/local/domain/$id/device/vbd/51712/backend") ||
    fail "no device/vbd/51712/backend"
ug_expect "$id" "attach device/vbd/51712 60" \
    "attach ok $be (InitWait|Connected)\$"
ug_expect "$id" "attach device/vbd/1 5" "attach failed device/vbd/1: ENOENT"
# its result may be gone with the domain before dom0 reads it: xl's
# reason code is what says it powered off
xenstore-write "/local/domain/$id/data/action" poweroff ||
    fail "cannot write data/action"
wait_for 120 reason $g 0 || fail "no reason code 0 for $g"
wait_gone $g 120
losetup -d "$loop" || fail "losetup -d $loop"
loop=

log "a back end that never comes"
g=ev-nb
ug_cfg $g xk-guest-xs pv "timeout=900" 'on_crash = "preserve"'
create $g
id=$(ug_domid $g)
ug_ready "$id" pv
d=/local/domain/$id/device/vbd/51712
be=/local/domain/0/backend/vbd/$id/51712
xenstore-write "$d/backend" "$be" "$d/backend-id" 0 "$d/state" 1 ||
    fail "cannot write $d"
xenstore-chmod -r "$d" "b$id" || fail "cannot give $d to domid $id"
xenstore-rm "/local/domain/$id/data/result" 2>/dev/null
xenstore-write "/local/domain/$id/data/action" "attach device/vbd/51712 5" ||
    fail "cannot write data/action"
wait_for 120 reason $g 3 || fail "$g did not crash"
state $g | grep -q c || fail "$g: not crashed: $(state $g)"
wait_for 30 said "panic: device/vbd/51712: back end $be (domain 0) not ready within 5 s: ETIMEDOUT, its state Unknown" ||
    fail "the console does not say why"
! xs_has "$id" data/result || fail "a result: $(xenstore-read \
    "/local/domain/$id/data/result")"
grep "xk-guest: panic" "$CONSOLE/guest-$g.log"
destroy $g
