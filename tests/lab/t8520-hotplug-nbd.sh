#!/bin/sh
# xenkit's block-nbd hotplug script (share/hotplug/block-nbd) under xl
# with script= and target=nbd://..., against a real NBD server in dom0
# (qemu-nbd serving a raw file): xk-guest-disk writes its pattern
# through blkback and the NBD device, verifies it and powers off; the
# pattern is then in the server's file, and the device is let go.  A
# second boot, read-only, gets a read-only connection and reads the
# pattern back.  20 attach/detach rounds (XK_T8520_ROUNDS) of a paused
# guest leave no NBD device connected and no lock file.  Then the
# failures, each
# with its reason printed by xl create and no NBD device left
# connected: an export the server does not have, a port nobody listens
# on, a URL that is not one.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
T=/var/tmp/t8520
PORT=10820
g=xk-t8520
export XK_HOTPLUG_LOG=$T/hotplug.log
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_failed_log $?
	exists "$g" && timeout 60 xl destroy "$g" >/dev/null 2>&1
	[ -f "$T/qemu-nbd.pid" ] && kill "$(cat "$T/qemu-nbd.pid")" 2>/dev/null
	for s in /sys/block/nbd*; do
		[ -e "$s/pid" ] && nbd-client -d "/dev/${s##*/}" >/dev/null 2>&1
	done
	rm -rf "$T" "/tmp/$g.cfg" "/var/log/xen/xl-$g.log"*
}
trap cleanup EXIT
rm -rf $T
mkdir -p $T

# connected: how many NBD devices a connection holds
connected() { ls -d /sys/block/nbd*/pid 2>/dev/null | wc -l; }
# none_connected: no NBD device held (read again at each of wait_for's tries)
# shellcheck disable=SC2317 # called through wait_for
none_connected() { [ "$(connected)" -eq 0 ]; }
# boot ACTIONS ACCESS URL: the guest on the NBD disk at URL
boot() {
	disk_guest_cfg $g pv "$1" "disk = [ \"format=raw, vdev=xvda, \
access=$2, script=$HP/block-nbd, target=$3\" ]"
	timeout 120 xl create "/tmp/$g.cfg" >$T/create.out 2>&1
}
# refused URL WHAT: xl create fails, saying WHAT; nothing connected
refused() {
	disk_guest_cfg $g pv write:xvda+poweroff "disk = [ \"format=raw, \
vdev=xvda, access=rw, script=$HP/block-nbd, target=$1\" ]"
	hp_refused $g "$2"
	[ "$(connected)" -eq 0 ] || fail "$1: $(connected) NBD devices left connected"
}

[ -x "$HP/block-nbd" ] || fail "no $HP/block-nbd"
command -v nbd-client >/dev/null || fail "no nbd-client in dom0"
truncate -s 16M $T/disk.img || fail "truncate"
qemu-nbd -t -e 2 -x xk -p $PORT -b 127.0.0.1 -f raw --fork \
    --pid-file $T/qemu-nbd.pid $T/disk.img || fail "qemu-nbd did not start"

log "write and verify through nbd://127.0.0.1:$PORT/xk"
disk_guest_cfg $g pv write:xvda+verify:xvda+poweroff "disk = [ \"format=raw, \
vdev=xvda, access=rw, script=$HP/block-nbd, target=nbd://127.0.0.1:$PORT/xk\" ]"
hp_wrote $g "add: nbd://127.0.0.1:$PORT/xk on /dev/nbd"
head -c 64 $T/disk.img | grep -q "^xk-disk seed=" ||
    fail "the pattern is not in the server's file: $(head -c 64 $T/disk.img)"
wait_for 30 none_connected ||
    fail "$(connected) NBD devices still connected after the guest left"

log "read-only: a read-only connection, and the pattern read through it"
boot verify:xvda+sleep r "nbd://127.0.0.1:$PORT/xk" || {
	cat $T/create.out
	fail "xl create (read-only)"
}
wait_for 120 said "verify " || fail "no verify: $(grep xk-guest "$CONSOLE/guest-$g.log")"
said "verify ok" || fail "read-only: $(grep xk-guest "$CONSOLE/guest-$g.log")"
dev=$(xenstore-read "/local/domain/0/backend/vbd/$(xl domid $g)/51712/node")
[ "$(cat "/sys/block/${dev#/dev/}/ro")" = 1 ] || fail "$dev is not read-only"
destroy $g
wait_for 30 none_connected || fail "read-only: still connected"

n=${XK_T8520_ROUNDS:-20}
log "$n attach/detach rounds"
disk_guest_cfg $g pv sleep "disk = [ \"format=raw, vdev=xvda, access=rw, \
script=$HP/block-nbd, target=nbd://127.0.0.1:$PORT/xk\" ]"
hp_rounds "$n" $g connected

log "failures"
refused "nbd://127.0.0.1:$PORT/nosuch" "nbd://127.0.0.1:$PORT/nosuch: nbd-client"
refused "nbd://127.0.0.1:1/xk" "nbd://127.0.0.1:1/xk: nbd-client"
refused "nbd://127.0.0.1:99999/xk" "port 99999 is not a number from 1 to 65535"
refused "http://127.0.0.1/xk" "not an NBD URL"
refused "nbd://a;b/xk" "host 'a;b' is not a host name or address"
exit 0
