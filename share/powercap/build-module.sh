#!/bin/sh
# build-module.sh OUT.ko WORKDIR [KVER] - build xen_powerclamp.ko for the lab's
# dom0 kernel and put it at OUT.ko.  KVER: by default the version that
# Debian's linux-headers-amd64 installed here depends on, the same that
# linux-image-amd64, which the lab boots (share/lab/build-image.sh),
# resolves to on the same mirror.  Kbuild writes beside its sources, so
# they are copied into WORKDIR first.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
work=$2
kver=${3:-$(dpkg-query -W -f '${Depends}' linux-headers-amd64 2>/dev/null |
    sed -n 's/.*linux-headers-\([0-9][^ ,]*\).*/\1/p')}
[ -n "$kver" ] || {
	echo "build-module: no linux-headers-amd64 (scripts/install-deps)" >&2
	exit 1
}
kdir=/usr/src/linux-headers-$kver
[ -d "$kdir" ] || {
	echo "build-module: $kdir: missing (apt-get install linux-headers-$kver)" >&2
	exit 1
}
mkdir -p "$work"
work=$(cd "$work" && pwd)
cp "$here/xen_powerclamp.c" "$here/Kbuild" "$work/"
# the kernel's own compiler and flags, whatever the caller's build uses
env -u CC -u CFLAGS -u LDFLAGS make -s -C "$kdir" M="$work" modules
cp "$work/xen_powerclamp.ko" "$out"
