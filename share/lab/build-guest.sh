#!/bin/sh
# build-guest.sh BUSYBOX INIT OUT [MODULE...] - the test guests'
# initramfs: a static busybox (from the image's busybox-static package),
# the guest init and kernel modules the init loads (in /lib/modules).
set -eu
bb=${1:?usage: build-guest.sh BUSYBOX INIT OUT}
init=${2:?}
out=${3:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys" "$d/tmp" "$d/mnt"
cp "$bb" "$d/bin/busybox"
ln -s busybox "$d/bin/sh"
install -m 755 "$init" "$d/init"
shift 3
mkdir -p "$d/lib/modules"
for m in "$@"; do
	cp "$m" "$d/lib/modules/"
done
(cd "$d" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --quiet) | gzip -9 >"$out"
