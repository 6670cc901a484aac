#!/bin/sh
# t4200-reflink - raw disk files on XFS and btrfs (loop devices made
# here, removed on any exit): reflink snapshots of a running QEMU (the
# vCPUs stopped around the copy), reverts live and stopped, deletes, a
# domain mixing a qcow2 and a raw disk, and an interrupted create.
# Needs root (loop devices, mount); skips when it cannot have them.
#
# usage: t4200-reflink.sh XK BUILD-DIR
set -u
XK=$1
QT=$2/tests/qmp/qmp-tool
T=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4200.XXXXXX")
export XK_CATALOG="$T/xenkit.db"
. "$(dirname "$0")/../reflink-fs.sh"

cleanup() {
	for p in "$T"/*/qemu.pid "$T"/*/*/qemu.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null &&
		    timeout 10 tail --pid="$(cat "$p")" -s 0.05 -f /dev/null
	done
	fs_cleanup
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# ok, notok, check, exits, finish
. "$(dirname "$0")/../lib.sh"

# vm DIR DISK:FORMAT...: start QEMU with those disk files (disk0, ...)
vm() {
	_vd=$1
	shift
	args=""
	i=0
	for spec in "$@"; do
		args="$args -drive file=${spec%:*},format=${spec#*:},if=none,id=disk$i"
		args="$args -device virtio-blk-pci,drive=disk$i,id=vd$i"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
	    -display none -daemonize -pidfile "$_vd/qemu.pid" \
	    -qmp "unix:$_vd/qmp.sock,server=on,wait=off" $args \
	    2>"$_vd/qemu.err"
}
stop() {
	pid=$(cat "$1/qemu.pid")
	kill "$pid"
	timeout 10 tail --pid="$pid" -s 0.05 -f /dev/null
	rm -f "$1/qemu.pid"
}
put() { "$QT" "$1/qmp.sock" write "$2" "$3" "$4" 64k; }
expect() { "$QT" "$1/qmp.sock" verify "$2" "$3" "$4" 64k; }
snap() { _o=$1; _d=$2; _n=$3; shift 3; "$XK" snapshot "$_o" --qmp "$_d/qmp.sock" "$_n" "$@"; }

if ! can_loop; then
	echo "ok - reflink # SKIP needs root and loop devices"
	echo "1 passed, 0 failed"
	exit 0
fi

for t in xfs btrfs; do
	if ! fs "$t"; then
		echo "ok - $t # SKIP cannot make a $t file system"
		passed=$((passed + 1))
		continue
	fi
	m="$T/mnt-$t"
	d="$m/r"
	mkdir -p "$d"
	truncate -s 16M "$d/d0.raw"
	vm "$d" "$d/d0.raw:raw"
	dom="r$t"
	put "$d" disk0 0x11 0 && snap create "$d" "$dom" s1 >/dev/null &&
	    put "$d" disk0 0x22 0 && snap create "$d" "$dom" s2 >/dev/null &&
	    put "$d" disk0 0x33 0
	check "$t: two reflink snapshots of a running raw disk" sh -c \
	    "$XK snapshot info --json $dom s2 | grep -q '\"backend\": \"reflink\"'"
	check "$t: revert to s1 under QEMU" snap revert "$d" "$dom" s1
	check "$t: s1's data" expect "$d" disk0 0x11 0
	check "$t: revert to s2" snap revert "$d" "$dom" s2
	check "$t: s2's data" expect "$d" disk0 0x22 0
	check "$t: delete s1" snap delete "$d" "$dom" s1
	check "$t: s1's copy is gone" test "$(ls "$d" | grep -c xk-)" -eq 1
	put "$d" disk0 0x44 0
	stop "$d"
	check "$t: revert the stopped domain to s2" "$XK" snapshot revert \
	    "$dom" s2
	vm "$d" "$d/d0.raw:raw"
	check "$t: the same file holds s2's data again" expect "$d" disk0 0x22 0

	# qcow2 and raw in one domain: one instant for both
	x="$m/mix"
	mkdir -p "$x"
	truncate -s 16M "$x/raw.img"
	qemu-img create -q -f qcow2 "$x/q.qcow2" 16M
	vm "$x" "$x/q.qcow2:qcow2" "$x/raw.img:raw"
	put "$x" disk0 0x51 0 && put "$x" disk1 0x61 0 &&
	    snap create "$x" "m$t" a >/dev/null &&
	    put "$x" disk0 0x52 0 && put "$x" disk1 0x62 0
	check "$t: qcow2 + raw: revert both" snap revert "$x" "m$t" a
	check "$t: qcow2 + raw: both disks at the snapshot" sh -c \
	    "$QT $x/qmp.sock verify disk0 0x51 0 64k &&
	    $QT $x/qmp.sock verify disk1 0x61 0 64k"
	before=$(ls "$x" | wc -l)
	XK_SNAPSHOT_FAULT=create:2 snap create "$x" "m$t" b >/dev/null 2>&1
	check "$t: interrupted create is rolled back" sh -c \
	    "$XK snapshot repair --qmp $x/qmp.sock m$t | grep -q 'rolled back'"
	check "$t: no copy or overlay left behind" test \
	    "$(ls "$x" | wc -l)" -eq "$before"
	XK_SNAPSHOT_FAULT=create:3 snap create "$x" "m$t" c >/dev/null 2>&1
	check "$t: create killed after the freeze is finished" sh -c \
	    "$XK snapshot repair --qmp $x/qmp.sock m$t | grep -q finished &&
	    $XK snapshot info m$t c | grep -q 'disk disk1: reflink'"
	stop "$x"
	stop "$d"
done

finish
