# shellcheck shell=sh
# reflink-fs.sh - XFS and btrfs file systems on loop devices for the
# shell tests that need reflinks (tests/formats/t3003, tests/snapshot/
# t4200).  Source it after setting T (the test's directory); call
# fs_cleanup from the test's exit trap.
#
#   can_loop        root and losetup: can fs work at all?
#   fs TYPE         a fresh TYPE (xfs or btrfs) file system on a loop
#                   device over $T/TYPE.img, mounted at $T/mnt-TYPE
#   fs_cleanup      unmount them all, detach their loop devices
loops=""

can_loop() { [ "$(id -u)" -eq 0 ] && command -v losetup >/dev/null; }

fs() {
	truncate -s 400M "$T/$1.img" || return 1
	l=$(losetup -f --show "$T/$1.img") || return 1
	loops="$loops $l"
	case $1 in
	xfs) mkfs.xfs -q -m reflink=1 "$l" ;;
	btrfs) mkfs.btrfs -q "$l" ;;
	esac >/dev/null 2>&1 || return 1
	mkdir -p "$T/mnt-$1"
	mount "$l" "$T/mnt-$1"
}

fs_cleanup() {
	for m in "$T"/mnt-*; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	for l in $loops; do
		losetup -d "$l"
	done
}
