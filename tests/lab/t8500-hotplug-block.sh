#!/bin/sh
# xenkit's block hotplug script (share/hotplug/block) under xl with
# script=: a file attached read-write through a loop device; the same
# file refused read-write to a second domain, with the reason in
# hotplug-error that xl create prints; N paused guests attaching one
# read-only file at once all start (XK_T8500_GUESTS, default 40); 20
# create/destroy rounds (XK_T8500_ROUNDS); nothing
# left behind (loop devices, lock files, xenstore nodes: also the leak
# check after the test).  The guests are xk-guest-tiny kernels created paused:
# blkback needs no frontend to take the device.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
HP=/usr/lib/xenkit/hotplug
TINYPV=/usr/lib/xk-lab/guests/xk-guest-tiny
n=${XK_T8500_GUESTS:-40}
img=/var/tmp/t8500.img
export XK_HOTPLUG_LOG=/var/tmp/t8500.log
names=""
cleanup() {
	rc=$?
	if [ "$rc" -ne 0 ] && [ -f "$XK_HOTPLUG_LOG" ]; then
		echo "--- the scripts' log"
		tail -n 30 "$XK_HOTPLUG_LOG"
	fi
	for d in $names; do
		xl destroy "$d" >/dev/null 2>&1
		rm -f "/tmp/$d.cfg" "/var/log/xen/xl-$d.log"*
	done
	rm -f "$img" "$XK_HOTPLUG_LOG"
	rm -f /run/xenkit-hotplug/file-*
}
trap cleanup EXIT

# cfg NAME ACCESS: an xk-guest-tiny guest with $img as xvda through our script
cfg() {
	names="$names $1"
	cat >"/tmp/$1.cfg" <<EOC
name = "$1"
type = "pv"
kernel = "$TINYPV"
extra = "poweroff"
memory = ${XK_T8500_MEM:-16}
vcpus = 1
on_poweroff = "destroy"
disk = [ "format=raw, vdev=xvda, access=$2, script=$HP/block, target=$img" ]
EOC
}
loops() { losetup -j "$img" | wc -l; }
be() { echo "/local/domain/0/backend/vbd/$1/51712"; }

[ -x "$HP/block" ] && [ -x "$HP/xk-hotplug-helper" ] ||
    fail "the scripts are not in $HP"
truncate -s 8M "$img" || fail "truncate"

log "one guest, read-write"
cfg hpa rw
timeout 120 xl create -p /tmp/hpa.cfg || fail "xl create hpa"
a=$(xl domid hpa) || fail "no domain hpa"
st=$(xenstore-read "$(be "$a")/hotplug-status")
node=$(xenstore-read "$(be "$a")/node")
pd=$(xenstore-read "$(be "$a")/physical-device")
[ "$st" = connected ] || fail "hotplug-status $st"
[ "$(losetup -n -O BACK-FILE "$node")" = "$img" ] ||
    fail "$node is not $img's loop device"
[ "$pd" = "$(stat -L -c '%t:%T' "$node")" ] || fail "physical-device $pd"
[ "$(losetup -n -O RO "$node" | tr -d ' ')" = 0 ] || fail "$node is read-only"
echo "ok: hpa has $img on $node ($pd)"

log "a second guest asking for it read-write is refused"
cfg hpb rw
if timeout 120 xl create -p /tmp/hpb.cfg >/tmp/hpb.out 2>&1; then
	fail "hpb was created with hpa's read-write disk"
fi
cat /tmp/hpb.out
grep -q "in use read-write by domain $a" /tmp/hpb.out ||
    fail "xl create did not say why"
xl domid hpb >/dev/null 2>&1 && fail "hpb is left over"
[ "$(loops)" -eq 1 ] || fail "$(loops) loop devices on $img"
log "nor read-only"
cfg hpc r
timeout 120 xl create -p /tmp/hpc.cfg >/tmp/hpc.out 2>&1 &&
    fail "hpc was created read-only on hpa's read-write disk"
grep -q "in use read-write by domain $a" /tmp/hpc.out ||
    { cat /tmp/hpc.out; fail "xl create did not say why (ro)"; }
xl destroy hpa || fail "xl destroy hpa"
[ "$(loops)" -eq 0 ] || fail "a loop device left after destroy"

log "$n guests attach the file read-only at once"
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	cfg "hpr$i" r
done
t0=$(now_ms)
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	timeout 300 xl create -q -p "/tmp/hpr$i.cfg" >"/tmp/hpr$i.out" 2>&1 &
done
wait
t1=$(now_ms)
bad=0
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	xl domid "hpr$i" >/dev/null 2>&1 || {
		bad=$((bad + 1)); echo "hpr$i:"; cat "/tmp/hpr$i.out"; }
done
[ "$bad" -eq 0 ] || fail "$bad of $n read-only guests did not start"
[ "$(loops)" -eq "$n" ] || fail "$(loops) loop devices for $n guests"
echo "ok: $n guests created at once in $((t1 - t0)) ms; script times:"
sed -n 's/.* add: \/dev\/loop[0-9]* in \([0-9.]*\) s$/\1/p' "$XK_HOTPLUG_LOG" |
    sort -n | awk '{ a[NR] = $1 } END { print "#   min " a[1] " median " \
    a[int((NR + 1) / 2)] " max " a[NR] " s (" NR " runs)" }'
log "while they run, read-write is refused"
timeout 120 xl create -p /tmp/hpb.cfg >/tmp/hpb.out 2>&1 &&
    fail "hpb was created read-write on a disk $n guests read"
grep -q "in use read-only by domain" /tmp/hpb.out ||
    { cat /tmp/hpb.out; fail "xl create did not say why (rw vs ro)"; }
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	xl destroy "hpr$i" &
done
wait
[ "$(loops)" -eq 0 ] || fail "$(loops) loop devices left after $n destroys"

rounds=${XK_T8500_ROUNDS:-20}
log "$rounds create/destroy rounds"
i=0
while [ $i -lt "$rounds" ]; do
	i=$((i + 1))
	timeout 120 xl create -q -p /tmp/hpa.cfg || fail "round $i: create"
	xl destroy hpa || fail "round $i: destroy"
done
[ "$(loops)" -eq 0 ] || fail "loop devices left after $rounds rounds"
[ -z "$(ls -A /run/xenkit-hotplug 2>/dev/null)" ] ||
    fail "lock files left: $(ls /run/xenkit-hotplug)"
xenstore-ls -f /local/domain/0/backend/vbd 2>/dev/null | grep -q . &&
    fail "vbd backend nodes left"
grep ' err ' "$XK_HOTPLUG_LOG" | grep -v 'in use read-' &&
    fail "errors in the scripts' log"
echo "ok: nothing left"
