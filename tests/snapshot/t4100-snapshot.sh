#!/bin/sh
# t4100-snapshot - xk snapshot --qmp against a real qemu-system-x86_64
# (no guest: q35 held at -S, qcow2 disks on virtio-blk).  Data is written
# through QEMU (HMP qemu-io) and read back as the guest would see it (an
# NBD export of the device's top node), by tests/qmp/qmp-tool.
#
# usage: t4100-snapshot.sh XK BUILD-DIR
set -u
XK=$1
QT=$2/tests/qmp/qmp-tool
T=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4100.XXXXXX")
export XK_CATALOG="$T/xenkit.db"

cleanup() {
	for p in "$T"/*/qemu.pid; do
		pid=$(cat "$p" 2>/dev/null) && kill "$pid" 2>/dev/null
	done
	if mountpoint -q "$T/full" 2>/dev/null; then
		umount -l "$T/full"
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# ok, notok, check, exits, finish
. "$(dirname "$0")/../lib.sh"

# vm NAME NDISKS [FORMAT]: start QEMU with NDISKS disks disk0..;
# -daemonize returns once the QMP socket listens.
vm() {
	d="$T/$1"
	mkdir -p "$d"
	args=""
	i=0
	while [ "$i" -lt "$2" ]; do
		qemu-img create -q -f "${3:-qcow2}" "$d/d$i.img" 16M || return 1
		args="$args -drive file=$d/d$i.img,format=${3:-qcow2},if=none,id=disk$i -device virtio-blk-pci,drive=disk$i,id=vd$i"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
	    -display none -daemonize -pidfile "$d/qemu.pid" \
	    -qmp "unix:$d/qmp.sock,server=on,wait=off" $args 2>"$d/qemu.err"
}

# the guest-visible bytes: put / expect DOMAIN DISK BYTE OFFSET
put() { "$QT" "$T/$1/qmp.sock" write "$2" "$3" "$4" 64k; }
expect() { "$QT" "$T/$1/qmp.sock" verify "$2" "$3" "$4" 64k; }
snap() { _o=$1; _d=$2; shift 2; "$XK" snapshot "$_o" --qmp "$T/$_d/qmp.sock" "$_d" "$@"; }
nfiles() { find "$T/$1" -name 'd*.img*' | wc -l; }
nsnaps() { "$XK" snapshot list --json "$1" | grep -c '"created"'; }

# --- create, list, revert, delete along a chain and a branch ------------
if ! vm a 2; then
	echo "not ok - start qemu-system-x86_64"
	cat "$T/a/qemu.err"
	echo "0 passed, 1 failed"
	exit 1
fi
put a disk0 0x77 1048576 && put a disk0 0x11 0 && put a disk1 0xa1 0 &&
    snap create a s1 >/dev/null &&
    put a disk0 0x22 0 && put a disk1 0xa2 0 && snap create a s2 >/dev/null &&
    put a disk0 0x33 0 && put a disk1 0xa3 0 &&
    snap create a s3 --description "third" >/dev/null
check "create a chain of three snapshots" test "$(nsnaps a)" -eq 3
"$XK" snapshot list --tree a >"$T/l"
check "list --tree shows the chain" grep -q "^    s3 \\*" "$T/l"
"$XK" snapshot info --json a s3 >"$T/l"
check "info --json: parent, description, both disks" sh -c \
    "grep -q '\"parent\": \"s2\"' $T/l && grep -q '\"third\"' $T/l &&
    grep -q '\"disk1\"' $T/l"
put a disk0 0x44 0
check "revert to s1" snap revert a s1
check "s1's data is back on both disks" sh -c "$(printf '%s ' \
    "$QT" "$T/a/qmp.sock" verify disk0 0x11 0 64k) && $(printf '%s ' \
    "$QT" "$T/a/qmp.sock" verify disk1 0xa1 0 64k)"
check "data older than s1 is intact" expect a disk0 0x77 1048576
check "revert to s2" snap revert a s2
check "s2's data" expect a disk0 0x22 0
check "revert to s3" snap revert a s3
check "s3's data" expect a disk1 0xa3 0
snap revert a s1 >/dev/null && put a disk0 0x55 0 &&
    snap create a s4 >/dev/null
"$XK" snapshot list --tree a >"$T/l"
check "a branch: s4 under s1 beside s2" grep -q "^  s4 \\*" "$T/l"
check "delete s2 (merged into s3)" snap delete a s2
check "s3 still has its data after the merge" sh -c \
    "$XK snapshot revert --qmp $T/a/qmp.sock a s3 &&
    $QT $T/a/qmp.sock verify disk0 0x33 0 64k &&
    $QT $T/a/qmp.sock verify disk0 0x77 1048576 64k"
check "delete s1 (two branches below: its image stays)" snap delete a s1
check "s4 still has its data" sh -c \
    "$XK snapshot revert --qmp $T/a/qmp.sock a s4 &&
    $QT $T/a/qmp.sock verify disk0 0x55 0 64k &&
    $QT $T/a/qmp.sock verify disk0 0x77 1048576 64k"
check "delete the current snapshot s4" snap delete a s4
check "the current state survives deleting its snapshot" expect a disk0 0x55 0
check "s3 survives too" sh -c "$XK snapshot revert --qmp $T/a/qmp.sock a s3 &&
    $QT $T/a/qmp.sock verify disk0 0x33 0 64k &&
    $QT $T/a/qmp.sock verify disk0 0x77 1048576 64k"
mkdir "$T/mirror"
check "mirror: every disk copied" sh -c \
    "$XK snapshot mirror --qmp $T/a/qmp.sock a $T/mirror | grep -c qcow2 |
    grep -q 2"
check "mirror: standalone copies with the current data" sh -c \
    "! qemu-img info $T/mirror/disk0.qcow2 | grep -q backing &&
    qemu-io -r -f qcow2 -c 'read -P 0x33 0 64k' -c 'read -P 0x77 1M 64k' \
    $T/mirror/disk0.qcow2 | grep -q -v failed &&
    ! qemu-io -r -f qcow2 -c 'read -P 0x33 0 64k' -c 'read -P 0x77 1M 64k' \
    $T/mirror/disk0.qcow2 | grep -q failed &&
    ! qemu-io -r -f qcow2 -c 'read -P 0xa3 0 64k' $T/mirror/disk1.qcow2 |
    grep -q failed"
exits "mirror: an existing copy is not overwritten" 1 "exists" \
    sh -c "touch $T/mirror/disk1.qcow2.tmp &&
    $XK snapshot mirror --qmp $T/a/qmp.sock a $T/mirror"
check "mirror: the refused copy left only the other file" sh -c \
    "[ -f $T/mirror/disk1.qcow2.tmp ] && [ ! -f $T/mirror/disk0.qcow2.tmp ]"
check "generated name when none is given" sh -c \
    "$XK snapshot create --qmp $T/a/qmp.sock a | grep -q '^snap-'"

# --- an image two branches shared goes once both branches are gone -------
vm g 1
put g disk0 0x0a 0 && snap create g a >/dev/null &&
    put g disk0 0x0b 0 && snap create g b >/dev/null &&
    snap revert g a >/dev/null && put g disk0 0x0c 0 &&
    snap create g c >/dev/null && snap revert g b >/dev/null &&
    put g disk0 0x0d 0 && snap create g d >/dev/null &&
    snap revert g b >/dev/null
check "delete b: its image stays, shared by d and the current state" \
    snap delete g b
bimg=$(ls "$T/g" | grep -c 'd0.img')
snap revert g c >/dev/null
check "delete d: b's image, now needed by nothing, goes too" snap delete g d
check "two images fewer (d's and b's)" test \
    "$(ls "$T/g" | grep -c 'd0.img')" -eq $((bimg - 2))
check "c still holds its data" expect g disk0 0x0c 0
check "delete a: merged into c's image" snap delete g a
check "c still holds its data after the merge" sh -c \
    "$XK snapshot revert --qmp $T/g/qmp.sock g c &&
    $QT $T/g/qmp.sock verify disk0 0x0c 0 64k"

# --- bad input: clear error, nothing half-made ----------------------------
before=$(nfiles a)
exits "duplicate name" 1 "already has a snapshot s3" snap create a s3
exits "unknown snapshot" 1 "has no snapshot nosuch" snap revert a nosuch
exits "unknown disk" 1 "has no disk vdz" snap create a x1 --disk vdz
exits "bad name" 1 "bad snapshot name" snap create a "../x"
exits "unknown domain: delete" 1 "no domain nosuchdomain in the catalog" \
    "$XK" snapshot delete nosuchdomain s1
exits "unknown domain: list" 1 "no domain nosuchdomain" \
    "$XK" snapshot list nosuchdomain
exits "unknown domain: create without --qmp" 1 "does not know its disks" \
    "$XK" snapshot create nosuchdomain
exits "--memory needs Xen" 1 "needs a Xen domain" snap create a m1 --memory
exits "--memory without --qmp: a running Xen domain is needed" 1 \
    "not a running Xen domain" "$XK" snapshot create a m1 --memory
check "--memory is an option of create only (usage error)" sh -c \
    "'$XK' snapshot revert --memory a s1 2>/dev/null; test \$? -eq 2"
check "no memory image left behind" sh -c \
    "! ls '$T' | grep -q xk-mem-"
check "a disk-only snapshot: kind disk, memory null (--json)" sh -c \
    "'$XK' snapshot info --json a s3 | grep -q '\"memory\": null' &&
    '$XK' snapshot info --json a s3 | grep -q '\"kind\": \"disk\"'"
mkfifo "$T/hold"
"$QT" "$T/a/qmp.sock" hold <"$T/hold" >"$T/held" &
exec 3>"$T/hold"
timeout 10 sh -c "until grep -q connected '$T/held' 2>/dev/null; do :; done"
exits "busy QMP socket" 1 "busy" snap create a x2
exec 3>&-
wait
check "bad input left no files behind" test "$(nfiles a)" -eq "$before"

vm r 1 raw
exits "raw disk: refused, says why and what works" 1 "qemu-img convert" \
    snap create r x --disk disk0
exits "no snapshot-able disk at all" 1 "no disk can be snapshotted" \
    snap create r x

# a full disk: the overlay cannot be created; the snapshot is not made
mkdir -p "$T/full"
if mount -t tmpfs -o size=4M tmpfs "$T/full" 2>/dev/null; then
	qemu-img create -q -f qcow2 "$T/full/d0.img" 16M
	qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
	    -display none -daemonize -pidfile "$T/full/qemu.pid" \
	    -qmp "unix:$T/full/qmp.sock,server=on,wait=off" \
	    -drive "file=$T/full/d0.img,format=qcow2,if=none,id=disk0" \
	    2>/dev/null
	dd if=/dev/zero of="$T/full/filler" bs=64k 2>/dev/null
	exits "full disk: clear error" 1 "No space left" snap create full f1
	check "full disk: no snapshot recorded, no journal" sh -c \
	    "$XK snapshot list --json full | grep -q '\"pending\": null' &&
	    ! $XK snapshot list full | grep -q f1"
	check "full disk: no overlay left behind" test \
	    "$(find "$T/full" -name 'd0.img.xk-*' | wc -l)" -eq 0
else
	echo "ok - full disk # SKIP cannot mount a tmpfs"
fi

# --- a stopped domain: revert, create, delete on files, with qemu-img -----
# stop DOMAIN: kill its QEMU and wait until it is gone
stop() {
	pid=$(cat "$T/$1/qemu.pid")
	kill "$pid"
	timeout 10 tail --pid="$pid" -s 0.05 -f /dev/null
	rm -f "$T/$1/qemu.pid"
}
# restart DOMAIN: start QEMU on the catalog's active image of disk0
restart() {
	img=$("$XK" snapshot list --json "$1" | sed -n \
	    '/"active"/,/]/s/.*"path": "\(.*\)".*/\1/p' | head -n 1)
	qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
	    -display none -daemonize -pidfile "$T/$1/qemu.pid" \
	    -qmp "unix:$T/$1/qmp.sock,server=on,wait=off" \
	    -drive "file=$img,format=qcow2,if=none,id=disk0" 2>/dev/null
}
vm o 1
put o disk0 0x11 0 && snap create o s1 >/dev/null && put o disk0 0x22 0 &&
    snap create o s2 >/dev/null && put o disk0 0x33 0
exits "no --qmp while QEMU runs: refused" 1 "in use by a running QEMU" \
    "$XK" snapshot revert o s1
stop o
check "stopped: revert to s1" "$XK" snapshot revert o s1
check "stopped: create s3" "$XK" snapshot create o s3
check "stopped: delete s2 (rebased offline)" "$XK" snapshot delete o s2
restart o
check "restarted on the active image: s1's data" expect o disk0 0x11 0
put o disk0 0x44 0
stop o
check "stopped: delete s1 (its data merged into s3's child)" \
    "$XK" snapshot delete o s1
restart o
check "after the offline merges: the current data" expect o disk0 0x44 0
check "s3 still reverts, live" sh -c "$XK snapshot revert --qmp \
    $T/o/qmp.sock o s3 && $QT $T/o/qmp.sock verify disk0 0x11 0 64k"

# --- faults: killed at each step, then repair ----------------------------
vm f 2
put f disk0 0x10 0 && snap create f base >/dev/null
i=0
for step in create:1 create:2 create:3 revert:1 revert:2 revert:3 \
    delete:1 delete:2; do
	i=$((i + 1))
	op=${step%:*}
	pat=$(printf '0x%02x' $((0x20 + i)))
	put f disk0 "$pat" 0
	case $op in
	create) args="k$i" ;;
	revert) args="base" ;;
	delete) snap create f "d$i" >/dev/null; args="d$i" ;;
	esac
	XK_SNAPSHOT_FAULT=$step snap "$op" f "$args" >"$T/faultout" 2>&1
	rc=$?
	"$XK" snapshot list f >"$T/list"
	if [ "$rc" -ne 137 ] || ! grep -q "interrupted $op" "$T/list"; then
		echo "# exit $rc" >"$T/out"; cat "$T/faultout" >>"$T/out"
		cat "$T/list" >>"$T/out"
		show "$T/out"
		notok "$step: killed, and list says so"
		continue
	fi
	ok "$step: killed, and list says so"
	check "$step: repair" "$XK" snapshot repair --qmp "$T/f/qmp.sock" f
	want=$pat
	case $step in
	create:3) have=yes ;;
	create:*) have=no ;;
	revert:1) ;;
	revert:*) want=0x10 ;;
	delete:*) have=no ;;
	esac
	check "$step: the domain's data is right after repair" \
	    expect f disk0 "$want" 0
	if [ "$op" != revert ]; then
		if "$XK" snapshot list f | grep -q "^$args "; then got=yes
		else got=no; fi
		check "$step: snapshot $args is $( [ "$have" = yes ] ||
		    echo not) there" test "$got" = "$have"
	fi
	check "$step: nothing pending" sh -c \
	    "$XK snapshot list --json f | grep -q '\"pending\": null'"
	check "$step: base still reverts" sh -c \
	    "$XK snapshot revert --qmp $T/f/qmp.sock f base &&
	    $QT $T/f/qmp.sock verify disk0 0x10 0 64k"
done
# a live revert killed between putting the new overlay on top and
# giving it the snapshot's image as backing
put f disk0 0x5a 0
XK_SNAPSHOT_FAULT=switch:1 snap revert f base >/dev/null 2>&1
check "revert killed mid-switch: list says so" sh -c \
    "$XK snapshot list f | grep -q 'interrupted revert'"
check "revert killed mid-switch: the guest still sees its own data" \
    expect f disk0 0x5a 0
check "revert killed mid-switch: repair finishes it" \
    "$XK" snapshot repair --qmp "$T/f/qmp.sock" f
check "revert killed mid-switch: the snapshot's data" expect f disk0 0x10 0
# the next operation repairs by itself
put f disk0 0x66 0
XK_SNAPSHOT_FAULT=create:3 snap create f auto >/dev/null 2>&1
check "an interrupted create is finished by the next operation" sh -c \
    "$XK snapshot create --qmp $T/f/qmp.sock f auto2 &&
    $XK snapshot list f | grep -q '^auto '"

# --- one image opened by two devices (a Xen HVM guest's AHCI disk and
# its PV-driver disk): one overlay each would split the guest's writes
mkdir -p "$T/two"
qemu-img create -q -f qcow2 "$T/two/d0.img" 16M
for i in 0 1; do
	echo "-drive file=$T/two/d0.img,format=qcow2,if=none,id=disk$i,file.locking=off"
done >"$T/two/args"
# shellcheck disable=SC2046
qemu-system-x86_64 -machine q35,accel=kvm:tcg -S -nodefaults \
    -display none -daemonize -pidfile "$T/two/qemu.pid" \
    -qmp "unix:$T/two/qmp.sock,server=on,wait=off" $(cat "$T/two/args") \
    2>"$T/two/qemu.err"
exits "one image opened twice: refused, naming both" 1 \
    "disks disk0 and disk1 are one image" snap create two s1
exits "one image opened twice: --disk of one of them refused too" 1 \
    "are one image" snap create two s1 --disk disk1
check "one image opened twice: no overlay made" \
    test "$(find "$T/two" -name 'd0.img.xk-*' | wc -l)" -eq 0

finish
