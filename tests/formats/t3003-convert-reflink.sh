#!/bin/sh
# t3003-convert-reflink - `xk convert` from a raw file to VHD and to raw
# on XFS and btrfs (loop devices made here, removed on any exit): the
# data of whole non-zero blocks is cloned (FICLONERANGE), so the output
# shares the source's extents; content is checked with qemu-img and
# cmp, the input stays unchanged even when the output is written to
# afterwards (copy on write), and zero blocks stay unallocated.
# Needs root (loop devices, mount); skips when it cannot have them.
#
# usage: t3003-convert-reflink.sh XK BUILD-DIR
NAME=t3003-convert-reflink
. "$(dirname "$0")/lib.sh"
need qemu-img filefrag
. "$(dirname "$0")/../reflink-fs.sh"
cleanup() {
	fs_cleanup
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# shared FILE: how many of FILE's extents are shared with another file
shared() { filefrag -v "$1" | grep -c 'shared'; }

if ! can_loop; then
	echo "ok - reflink # SKIP needs root and loop devices"
	passed=1
	finish
fi

for t in xfs btrfs; do
	if ! fs "$t"; then
		echo "ok - $t # SKIP cannot make a $t file system"
		passed=$((passed + 1))
		continue
	fi
	m="$T/mnt-$t"
	# 4 whole blocks of data, a block of written zeros, a hole, a
	# whole block of data, a partial block with 1 KiB of data at the
	# end (the size not a multiple of 2 MiB)
	D="$m/disk.raw"
	rnd "$D" 0 8192
	dd if=/dev/zero of="$D" bs=1k seek=8192 count=2048 conv=notrunc \
	    status=none
	rnd "$D" 14336 2048
	rnd "$D" 16384 1
	truncate -s $((16 * 1024 * 1024 + 3 * 512)) "$D"
	before=$(sha256sum <"$D")
	[ "$(shared "$D")" -eq 0 ] && ok "$t: the source shares nothing yet" ||
	    notok "$t: the source shares nothing yet"

	check "$t: raw -> vhd" "$XK" convert "$D" "$m/d.vhd"
	check "$t: qemu-img compare raw vhd" qemu-img compare -q "$D" \
	    "$m/d.vhd"
	n=$(shared "$m/d.vhd")
	[ "$n" -ge 5 ] && ok "$t: the VHD's blocks share the source's data" || {
		filefrag -v "$m/d.vhd" | sed 's/^/#   /'
		notok "$t: the VHD's blocks share the source's data ($n)"
	}
	# 5 blocks of data + 1 KiB: the zero block is not allocated
	check "$t: only the data is allocated" sh -c "$XK inspect --json \
	    '$m/d.vhd' | grep -q '\"allocated\": 10486784\$'"

	check "$t: raw -> raw" "$XK" convert "$D" "$m/d2.raw"
	check "$t: same content" cmp "$D" "$m/d2.raw"
	n=$(shared "$m/d2.raw")
	[ "$n" -ge 1 ] && ok "$t: the raw copy shares the source's data" ||
	    notok "$t: the raw copy shares the source's data ($n)"

	# copy on write: writing the outputs leaves the input as it was
	dd if=/dev/urandom of="$m/d2.raw" bs=1M count=4 conv=notrunc,fsync \
	    status=none
	dd if=/dev/urandom of="$m/d.vhd" bs=1M seek=1 count=4 \
	    conv=notrunc,fsync status=none
	[ "$(sha256sum <"$D")" = "$before" ] &&
	    ok "$t: the input is unchanged after its clones are written" ||
	    notok "$t: the input is unchanged after its clones are written"
	rm -f "$m/d.vhd" "$m/d2.raw"
done
finish
