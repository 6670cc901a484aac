#!/bin/sh
# t4110-snapshot-faults - xk snapshot create, revert and delete killed at
# every fault point in turn (XK_SNAPSHOT_FAULT=@N: the Nth point passed),
# with the guest running and with it paused, against a real
# qemu-system-x86_64 (no kernel: SeaBIOS runs or is stopped; its run
# state is what query-status says) with two qcow2 disks.  After each
# kill, xk snapshot repair, then:
#   - nothing pending;
#   - the guest's run state as before the operation;
#   - no block node that nothing uses (QEMU's block graph: every node
#     has a device, a node or a job above it);
#   - no deleted file held open by QEMU (/proc/PID/fd);
#   - each disk's data as the model says: a create and a delete keep
#     the guest's data; a revert either happened (the catalog has new
#     active images, and the disks hold the snapshot's data) or not;
#   - a delete is finished once its plan is in the journal, and
#     nothing happened to the snapshot before that.
#
# usage: t4110-snapshot-faults.sh XK BUILD-DIR
set -u
XK=$1
QT=$2/tests/qmp/qmp-tool
T=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4110.XXXXXX")
export XK_CATALOG="$T/xenkit.db"
S="$T/v/qmp.sock"
pass=0
fail=0

cleanup() {
	pid=$(cat "$T/v/qemu.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() {
	echo "not ok - $1"
	[ -f "$T/out" ] && sed 's/^/#   /' "$T/out" | tail -n 8
	fail=$((fail + 1))
}
check() {
	_name=$1
	shift
	if "$@" >"$T/out" 2>&1; then ok "$_name"; else notok "$_name"; fi
}

mkdir -p "$T/v"
args=""
for i in 0 1; do
	qemu-img create -q -f qcow2 "$T/v/d$i.img" 16M || exit 1
	args="$args -drive file=$T/v/d$i.img,format=qcow2,if=none,id=disk$i -device virtio-blk-pci,drive=disk$i,id=vd$i"
done
# shellcheck disable=SC2086
if ! qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
    -display none -daemonize -pidfile "$T/v/qemu.pid" \
    -qmp "unix:$S,server=on,wait=off" $args 2>"$T/v/qemu.err"; then
	echo "not ok - start qemu-system-x86_64"
	cat "$T/v/qemu.err"
	echo "0 passed, 1 failed"
	exit 1
fi
QPID=$(cat "$T/v/qemu.pid")

snap() { _o=$1; shift; "$XK" snapshot "$_o" --qmp "$S" v "$@"; }
put() { "$QT" "$S" write "$1" "$2" 0 64k; }
expect() { "$QT" "$S" verify "$1" "$2" 0 64k; }
status() {
	"$QT" "$S" exec query-status | sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p'
}
# state running|paused: put the guest in that state
state() {
	case $1 in
	running) "$QT" "$S" exec cont ;;
	paused) "$QT" "$S" exec stop ;;
	esac >/dev/null
}
# the catalog's active images (after settled: $T/list)
active() { sed -n '/"active"/,/]/s/.*"path": "\(.*\)".*/\1/p' "$T/list"; }
# settled STATE WHAT: the checks every repaired operation must pass
settled() {
	"$XK" snapshot list --json v >"$T/list"
	grep -q '"pending": null' "$T/list" || {
		echo "still pending"; cat "$T/list"; return 1; }
	s=$(status)
	[ "$s" = "$1" ] || { echo "run state $s, not $1"; return 1; }
	"$QT" "$S" unused >"$T/unused" || return 1
	[ ! -s "$T/unused" ] || {
		echo "nodes open that nothing uses:"; cat "$T/unused"
		return 1; }
	if ls -l "/proc/$QPID/fd" | grep -F "$T/" | grep -q '(deleted)'; then
		echo "QEMU holds deleted files:"
		ls -l "/proc/$QPID/fd" | grep -F "$T/" | grep '(deleted)'
		return 1
	fi
}

# the snapshot every revert goes back to: 0xb0 and 0xb1
put disk0 0xb0 && put disk1 0xb1 && snap create base >/dev/null ||
    { echo "not ok - base snapshot"; echo "0 passed, 1 failed"; exit 1; }

i=0
# sweep OP STATE: kill OP at point 1, 2, ... until it runs to its end
sweep() {
	op=$1
	want=$2
	n=1
	while [ "$n" -lt 300 ]; do
		i=$((i + 1))
		p0=$(printf '0x%02x' $((i % 200 + 1)))
		p1=$(printf '0x%02x' $((i % 200 + 2)))
		state "$want"
		put disk0 "$p0" && put disk1 "$p1" || {
			notok "$op $want: write the model's data"; return; }
		case $op in
		create) a="c$i" ;;
		revert) "$XK" snapshot list --json v >"$T/list"
			active >"$T/before"
			a=base ;;
		delete) snap create "d$i" >/dev/null; a="d$i" ;;
		esac
		rm -f "$T/log"
		XK_SNAPSHOT_FAULT="@$n" XK_SNAPSHOT_FAULT_LOG="$T/log" \
		    snap "$op" "$a" >"$T/out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			# past the last point: the operation ran to its end
			check "$op $want: ran to its end after $((n - 1)) \
points" settled "$want"
			return
		fi
		what="$op $want @$n ($(sed -n "s/^$n //p" "$T/log"))"
		if [ "$rc" -ne 137 ]; then
			notok "$what: killed (exit $rc)"
			return
		fi
		# its plan is in the journal once point delete:1 was passed
		if grep -q ' delete:1$' "$T/log"; then journal=yes
		else journal=no; fi
		check "$what: repair" "$XK" snapshot repair --qmp "$S" v
		check "$what: settled" settled "$want"
		d0=$p0
		d1=$p1
		if [ "$op" = revert ] && ! active | cmp -s - "$T/before"
		then
			d0=0xb0
			d1=0xb1
		fi
		check "$what: the disks' data" sh -c "$(printf '%s ' "$QT" \
		    "$S" verify disk0 "$d0" 0 64k) && $(printf '%s ' "$QT" \
		    "$S" verify disk1 "$d1" 0 64k)"
		if [ "$op" = delete ]; then
			if grep -q "\"name\": \"d$i\"" "$T/list"; then
				have=yes
			else
				have=no
			fi
			# once journaled, a delete is always finished
			check "$what: snapshot d$i $( [ "$journal" = yes ] &&
			    echo "deleted" || echo "kept")" \
			    test "$have" != "$journal"
		fi
		n=$((n + 1))
	done
	notok "$op $want: more than 300 fault points"
}

for want in running paused; do
	for op in create revert delete; do
		sweep "$op" "$want"
	done
	check "$want: base still reverts, with its data" sh -c \
	    "$XK snapshot revert --qmp $S v base &&
	    $QT $S verify disk0 0xb0 0 64k && $QT $S verify disk1 0xb1 0 64k"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
