#!/bin/sh
# xenkit's block-rbd hotplug script (share/hotplug/block-rbd) under xl
# with script= and target=rbd:POOL/IMAGE:id=NAME:conf=FILE, against a
# real one-node Ceph cluster in dom0 (ceph-lib.sh: a monitor and a
# memstore OSD, cephx on) and the kernel's RBD client:
# - xk-guest-disk writes its pattern through blkback and /dev/rbdN,
#   verifies it and powers off: the pattern is in the image as `rbd
#   export` reads it, and nothing is mapped after the guest; a second
#   boot on a snapshot of the image reads it back (mapped read-only);
# - 20 attach/detach rounds (XK_T8590_ROUNDS) of a paused guest: one
#   mapping while attached, none after, no lock file;
# - two guests reading one image share one mapping, which stays until
#   the last of them goes; the image read-write to a third is refused;
# - failures, each with its reason from xl create and nothing mapped:
#   an image the pool does not have, a key the cluster does not know
#   (the key itself never in the log), no monitor listening;
# - an add SIGKILLed after its map and attach (as libxl's timeout
#   does): the remove libxl runs next unmaps, nothing is left.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
# shellcheck source=ceph-lib.sh
. /usr/lib/xk-lab/tests/ceph-lib.sh
T=/var/tmp/t8590
C=$T/ceph
IP=192.0.2.90
g=xk-t8590
g2=xk-t8590b
g3=xk-t8590c
export XK_HOTPLUG_LOG=$T/hotplug.log
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_failed_log $?
	for d in $g $g2 $g3; do
		exists "$d" && timeout 60 xl destroy "$d" >/dev/null 2>&1
	done
	for d in /sys/bus/rbd/devices/*; do
		[ -e "$d" ] && echo "${d##*/}" >/sys/bus/rbd/remove 2>/dev/null
	done
	ceph_down "$C"
	ip link del xkt8590 2>/dev/null
	rm -rf "$T" /tmp/"$g"*.cfg /var/log/xen/xl-"$g"*.log*
}
trap cleanup EXIT

# maps: the images the kernel's client has mapped
maps() { find /sys/bus/rbd/devices -mindepth 1 -maxdepth 1 | wc -l; }
# left_clean WHAT: nothing mapped, no lock file
left_clean() {
	[ "$(maps)" -eq 0 ] || fail "$1: $(maps) images still mapped"
	hp_no_locks "$1"
}
# cfg NAME ACTIONS ACCESS TARGET: NAME's guest on the RBD disk TARGET
cfg() { hp_cfg "$1" "$2" "$3" block-rbd "$4"; }
# refused TARGET WHAT: xl create fails, saying WHAT; nothing left
refused() {
	cfg $g write:xvda+poweroff rw "$1"
	hp_refused $g "$2"
	left_clean "$1"
}

[ -x "$HP/block-rbd" ] || fail "no $HP/block-rbd"
pgrep -x ceph-mon >/dev/null && fail "a ceph-mon runs already"
rm -rf $T
mkdir -p $T || fail "mkdir $T"
ip link add xkt8590 type dummy && ip addr add $IP/32 dev xkt8590 &&
    ip link set xkt8590 up || fail "cannot give dom0 $IP"
log "a one-node Ceph cluster"
ceph_up "$C" $IP xen >$T/ceph-up.log 2>&1 || {
	cat $T/ceph-up.log
	tail -n 20 "$C"/log/*.log
	fail "cannot start the Ceph cluster"
}
timeout 60 rbd -c "$C/ceph.conf" create --size 16M rbd/a &&
    timeout 60 rbd -c "$C/ceph.conf" create --size 16M rbd/b ||
    fail "cannot make the images"
TGT="id=xen:conf=$C/ceph.conf"

log "write and verify through rbd:rbd/a"
cfg $g write:xvda+verify:xvda+poweroff rw "rbd:rbd/a:$TGT"
hp_wrote $g "add: rbd:rbd/a:$TGT on /dev/rbd"
left_clean "after the guest"
timeout 60 rbd -c "$C/ceph.conf" export rbd/a $T/a.img >/dev/null 2>&1 ||
    fail "rbd export rbd/a"
head -c 64 $T/a.img | grep -q "^xk-disk seed=" ||
    fail "the pattern is not in the image: $(head -c 64 $T/a.img)"
log "a second boot reads it back from a snapshot"
timeout 60 rbd -c "$C/ceph.conf" snap create rbd/a@s1 || fail "rbd snap create"
cfg $g verify:xvda+poweroff r "rbd:rbd/a@s1:$TGT"
hp_wrote $g "mapped rbd/a@s1 on /dev/rbd[0-9]* (read-only)"
left_clean "after the second boot"

n=${XK_T8590_ROUNDS:-20}
log "$n attach/detach rounds"
cfg $g sleep rw "rbd:rbd/b:$TGT"
hp_rounds "$n" $g maps
left_clean "after the rounds"

log "two readers of one image, one mapping; the image read-write refused"
cfg $g sleep r "rbd:rbd/a:$TGT"
cfg $g2 sleep r "rbd:rbd/a:$TGT"
cfg $g3 sleep rw "rbd:rbd/a:$TGT"
hp_shared_pair maps "mappings" \
    "rbd:rbd/a:$TGT is in use read-only by domain .*cannot be attached read-write" \
    $g $g2 $g3
left_clean "after both"

log "failures"
refused "rbd:rbd/nosuch:$TGT" \
    "rbd:rbd/nosuch:$TGT: rbd: error opening image nosuch: (2) No such file or directory"
badkey=$(ceph-authtool --gen-print-key) &&
    printf '[client.xen]\n\tkey = %s\n' "$badkey" \
    >"$C/ceph.client.xen.keyring.bad" &&
    sed "s|^keyring = .*|keyring = $C/ceph.client.xen.keyring.bad|" \
    "$C/ceph.conf" >"$C/bad.conf" || fail "cannot write the wrong key"
export XK_HOTPLUG_BUDGET=5
refused "rbd:rbd/a:id=xen:conf=$C/bad.conf" \
    "rbd:rbd/a:id=xen:conf=$C/bad.conf: the cluster refused client.xen's key (cephx: permission denied)"
grep -q -F "$badkey" "$XK_HOTPLUG_LOG" "$T/create.out" &&
    fail "the key is in a log"
sed "s|^mon_host = .*|mon_host = 192.0.2.91|" "$C/ceph.conf" >"$C/nomon.conf" ||
    fail "cannot write nomon.conf"
refused "rbd:rbd/a:id=xen:conf=$C/nomon.conf" \
    "rbd:rbd/a:id=xen:conf=$C/nomon.conf: no answer from the cluster's monitors within [0-9]* s"
sed "s|^keyring = .*|keyring = $C/nosuch.keyring|" "$C/ceph.conf" \
    >"$C/nokey.conf" || fail "cannot write nokey.conf"
refused "rbd:rbd/a:id=xen:conf=$C/nokey.conf" "no keyring for client.xen"
unset XK_HOTPLUG_BUDGET
refused "rbd:rbd/a:id=xen:conf=$C/none.conf" "no Ceph configuration file $C/none.conf"

log "killed after its map and attach: the remove that follows cleans up"
cfg $g sleep rw "rbd:rbd/b:$TGT"
hp_killed $g block-rbd
left_clean "after the killed add"
exit 0
