#!/bin/sh
# xenkit's block-gluster hotplug script (share/hotplug/block-gluster)
# under xl with script= and target=gluster://HOST/VOLUME/PATH, against
# a real GlusterFS server in dom0 (glusterd, one brick):
# - xk-guest-disk writes its pattern through blkback, a loop device and
#   the FUSE client, verifies it and powers off: the pattern is in the
#   file as a second client of the volume reads it, and the volume is
#   unmounted after the guest; a second boot reads the pattern back;
# - 20 attach/detach rounds (XK_T8570_ROUNDS) of a paused guest: one
#   mount while attached, none after, no loop device or lock file;
# - two guests on two files of one volume share one mount, which stays
#   until the last of them goes; the same file read-write to a third is
#   refused;
# - failures, each with its reason from xl create and no mount, loop
#   device or client process left: a volume the server does not have,
#   a file the volume does not have, a server nobody listens on, a path
#   with .. in it;
# - an add SIGKILLed after its mount and attach (as libxl's timeout
#   does): the remove libxl runs next unmounts, nothing is left.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
T=/var/tmp/t8570
V=xkt8570
# gluster takes no brick on a loopback address: dom0 gets one of
# TEST-NET-1 on a dummy interface
IP=192.0.2.70
URL=gluster://$IP/$V
g=xk-t8570
g2=xk-t8570b
g3=xk-t8570c
export XK_HOTPLUG_LOG=$T/hotplug.log
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_failed_log $?
	for d in $g $g2 $g3; do
		exists "$d" && timeout 60 xl destroy "$d" >/dev/null 2>&1
	done
	umount "$T/client" 2>/dev/null
	for m in /run/xenkit-gluster/*; do
		[ -d "$m" ] && { umount "$m"; rmdir "$m"; } 2>/dev/null
	done
	rmdir /run/xenkit-gluster 2>/dev/null
	timeout 60 gluster --mode=script volume stop "$V" force >/dev/null 2>&1
	timeout 60 gluster --mode=script volume delete "$V" >/dev/null 2>&1
	pkill -x glusterd
	pkill -x glusterfsd
	pkill -x glusterfs
	wait_for 30 none_running || pkill -KILL -x glusterfsd
	umount "$T/brick" 2>/dev/null
	ip link del xkt8570 2>/dev/null
	rm -rf "$T" /tmp/"$g"*.cfg /var/log/xen/xl-"$g"*.log* /var/log/glusterfs
}
trap cleanup EXIT
# shellcheck disable=SC2317 # called through wait_for
none_running() { ! pgrep '^gluster' >/dev/null; }

# mounts: the volume's FUSE mounts the scripts made
mounts() { grep -c " /run/xenkit-gluster/[^ ]* fuse.glusterfs " /proc/mounts; }
# shellcheck disable=SC2317 # called through wait_for
no_mount() { [ "$(mounts)" -eq 0 ] && ! pgrep -f "/run/xenkit-gluster" >/dev/null; }
# left_clean WHAT: no mount, no client, no loop device, no lock file
left_clean() {
	wait_for 30 no_mount || fail "$1: $(mounts) mounts or a client left: $(grep gluster /proc/mounts)"
	[ "$(losetup -a | grep -v -c brick.img)" -eq 0 ] ||
	    fail "$1: loop devices left: $(losetup -a)"
	hp_no_locks "$1"
}
# cfg NAME ACTIONS ACCESS URL: NAME's guest on the disk at URL
cfg() { hp_cfg "$1" "$2" "$3" block-gluster "$4"; }
# refused URL WHAT: xl create fails, saying WHAT; nothing left
refused() {
	cfg $g write:xvda+poweroff rw "$1"
	hp_refused $g "$2"
	left_clean "$1"
}

[ -x "$HP/block-gluster" ] || fail "no $HP/block-gluster"
pgrep -x glusterd >/dev/null && fail "a glusterd runs already"
rm -rf $T
mkdir -p $T/brick $T/client
# the brick on XFS, as GlusterFS wants it (it needs xattrs that tmpfs,
# under dom0's root, lacks)
truncate -s 300M $T/brick.img && mkfs.xfs -q $T/brick.img &&
    mount -o loop $T/brick.img $T/brick || fail "cannot make the brick"
ip link add xkt8570 type dummy && ip addr add $IP/32 dev xkt8570 &&
    ip link set xkt8570 up || fail "cannot give dom0 $IP"
glusterd || fail "glusterd did not start"
wait_for 60 gluster --mode=script volume list >/dev/null ||
    fail "glusterd does not answer"
# one brick on dom0's own disk: force, as gluster asks for that
timeout 60 gluster --mode=script volume create $V $IP:$T/brick force &&
    timeout 60 gluster --mode=script volume start $V ||
    fail "cannot create and start the volume"
# the disks, made through a client of their own (a file written into
# the brick directly would not be the volume's); FUSE loaded for it,
# as dom0 has no udev to do it
[ -c /dev/fuse ] || modprobe fuse || fail "no FUSE"
timeout 60 mount -t glusterfs $IP:/$V $T/client ||
    fail "the test's own client cannot mount the volume"
mkdir $T/client/vms && truncate -s 16M $T/client/vms/a.img $T/client/vms/b.img ||
    fail "cannot make the disks"
umount $T/client || fail "umount the test's client"

log "write and verify through $URL/vms/a.img"
cfg $g write:xvda+verify:xvda+poweroff rw "$URL/vms/a.img"
hp_wrote $g "add: $URL/vms/a.img on /dev/loop"
left_clean "after the guest"
timeout 60 mount -t glusterfs $IP:/$V $T/client ||
    fail "the test's own client cannot mount the volume again"
head -c 64 $T/client/vms/a.img | grep -q "^xk-disk seed=" ||
    fail "the pattern is not in the volume's file: $(head -c 64 $T/client/vms/a.img)"
umount $T/client || fail "umount the test's client"
log "a second boot reads it back"
cfg $g verify:xvda+poweroff r "$URL/vms/a.img"
hp_wrote $g "add: $URL/vms/a.img on /dev/loop"
left_clean "after the second boot"

n=${XK_T8570_ROUNDS:-20}
log "$n attach/detach rounds"
cfg $g sleep rw "$URL/vms/b.img"
hp_rounds "$n" $g mounts
left_clean "after the rounds"

log "two files of one volume, one mount; the same file twice refused"
cfg $g sleep rw "$URL/vms/a.img"
cfg $g2 sleep rw "$URL/vms/b.img"
cfg $g3 sleep rw "$URL/vms/a.img"
hp_shared_pair mounts "mounts" \
    "$URL/vms/a.img is in use read-write by domain .*cannot be attached read-write" \
    $g $g2 $g3
left_clean "after both"

log "failures"
refused "gluster://$IP/nosuch/vms/a.img" \
    "gluster://$IP/nosuch/vms/a.img: mount: failed to fetch volume file (key:/nosuch)"
refused "$URL/vms/nosuch.img" "no file vms/nosuch.img in volume $V"
refused "gluster://$IP:24999/$V/vms/a.img" \
    "gluster://$IP:24999/$V/vms/a.img: mount: disconnected from remote-host: $IP"
refused "$URL/vms/../a.img" "path 'vms/../a.img' has characters other than"
log "killed after its mount and attach: the remove that follows cleans up"
cfg $g sleep rw "$URL/vms/a.img"
hp_killed $g block-gluster
left_clean "after the killed add"
exit 0
