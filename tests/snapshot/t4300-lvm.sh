#!/bin/sh
# t4300-lvm - LVM volumes (a classic and a thin one, in a volume group on
# a loop device made here and removed on any exit) as a QEMU's raw
# host_device disks: snapshots of the running QEMU, a live revert that
# is refused, reverts of the stopped domain, deletes.  Needs root.
#
# usage: t4300-lvm.sh XK BUILD-DIR
set -u
XK=$1
QT=$2/tests/qmp/qmp-tool
T=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4300.XXXXXX")
export XK_CATALOG="$T/xenkit.db"
vg=xkt4300$$
loop=""

# No udev in a test container: LVM makes its own device nodes.
mkdir -p "$T/lvm"
cat >"$T/lvm/lvm.conf" <<EOF
activation { udev_sync = 0 udev_rules = 0 verify_udev_operations = 1 }
devices { obtain_device_list_from_udev = 0 use_devicesfile = 0 }
EOF
export LVM_SYSTEM_DIR="$T/lvm" LVM_SUPPRESS_FD_WARNINGS=1

cleanup() {
	if [ -f "$T/vm/qemu.pid" ]; then
		pid=$(cat "$T/vm/qemu.pid")
		kill "$pid" 2>/dev/null
		timeout 10 tail --pid="$pid" -s 0.05 -f /dev/null
	fi
	vgremove -q -ff "$vg" >/dev/null 2>&1
	[ -n "$loop" ] && pvremove -q -ff "$loop" >/dev/null 2>&1
	[ -n "$loop" ] && losetup -d "$loop"
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# ok, notok, check, exits, finish
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v lvcreate >/dev/null; then
	echo "ok - lvm # SKIP needs root and lvm2"
	echo "1 passed, 0 failed"
	exit 0
fi
truncate -s 600M "$T/pv.img"
loop=$(losetup -f --show "$T/pv.img") &&
    pvcreate -q "$loop" >/dev/null && vgcreate -q "$vg" "$loop" >/dev/null &&
    lvcreate -q -L 32M -n classic "$vg" >/dev/null &&
    lvcreate -q -L 200M -T "$vg/pool" >/dev/null &&
    lvcreate -q -V 32M -T "$vg/pool" -n thin >/dev/null
if [ ! -b "/dev/$vg/classic" ] || [ ! -b "/dev/$vg/thin" ]; then
	echo "ok - lvm # SKIP cannot make LVM volumes on a loop device here"
	echo "1 passed, 0 failed"
	exit 0
fi

d="$T/vm"
mkdir -p "$d"
vm() {
	qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
	    -display none -daemonize -pidfile "$d/qemu.pid" \
	    -qmp "unix:$d/qmp.sock,server=on,wait=off" \
	    -drive "file=/dev/$vg/classic,format=raw,if=none,id=disk0" \
	    -drive "file=/dev/$vg/thin,format=raw,if=none,id=disk1" \
	    2>"$d/qemu.err"
}
stop() {
	pid=$(cat "$d/qemu.pid")
	kill "$pid"
	timeout 10 tail --pid="$pid" -s 0.05 -f /dev/null
	rm -f "$d/qemu.pid"
}
put() { "$QT" "$d/qmp.sock" write "$1" "$2" 0 64k; }
both() { "$QT" "$d/qmp.sock" verify disk0 "$1" 0 64k &&
    "$QT" "$d/qmp.sock" verify disk1 "$1" 0 64k; }
snap() { _o=$1; shift; "$XK" snapshot "$_o" --qmp "$d/qmp.sock" lv "$@"; }

vm
put disk0 0x11 && put disk1 0x11 && snap create s1 >/dev/null &&
    put disk0 0x22 && put disk1 0x22 && snap create s2 >/dev/null &&
    put disk0 0x33 && put disk1 0x33
check "snapshots of a classic and a thin volume, live" sh -c \
    "$XK snapshot info --json lv s2 | grep -c '\"backend\": \"lvm\"' |
    grep -q 2"
check "snapshot volumes exist" sh -c "lvs $vg | grep -q thin_xkc"
check "live revert refused: needs the domain stopped" sh -c \
    "! $XK snapshot revert --qmp $d/qmp.sock lv s1 2>&1 |
    grep -q 'needs the domain stopped' && false ||
    $XK snapshot revert --qmp $d/qmp.sock lv s1 2>&1 |
    grep -q 'needs the domain stopped'"
check "the refused revert left nothing pending" sh -c \
    "$XK snapshot list --json lv | grep -q '\"pending\": null'"
stop
check "revert the stopped domain to s1" "$XK" snapshot revert lv s1
vm
check "both volumes hold s1's data" both 0x11
stop
check "revert to s2" "$XK" snapshot revert lv s2
vm
check "both volumes hold s2's data" both 0x22
stop
check "delete s1" "$XK" snapshot delete lv s1
check "s1's volumes are gone" sh -c "[ \$(lvs --noheadings $vg |
    grep -c _xkc) -eq 2 ]"
check "revert to s2 again" "$XK" snapshot revert lv s2
vm
check "still s2's data" both 0x22

finish
