#!/bin/sh
# guest-disk.sh [XK [MIB]] - blkfront throughput of xk-guest-disk
# (guest/bin/disk.c) in the lab, as PV and as PVH: it writes MIB
# (default 32) MiB of its pattern to a raw file served by blkback
# through a loop device, flushes, reads it back and verifies it, timing
# the writes and the reads with its pvclock (the reads without the
# verification).  Reported, never pass/fail.  Uses the lab XK_LAB_NAME
# (default bench-guest-disk), booted from this build if it is not
# running; bench/guest-disk-dom0.sh does the work.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
XK=${1:-$top/build/src/xk}
lab=${XK_LAB_NAME:-bench-guest-disk}
started=0
L() { "$XK" lab -n "$lab" "$@"; }
trap '[ "$started" = 0 ] || L down >/dev/null 2>&1' EXIT INT TERM
if ! L status >/dev/null 2>&1; then
	L up >&2
	started=1
fi
L cp "$top/bench/guest-disk-dom0.sh" lab:/usr/lib/xk-lab/tests/guest-disk-dom0.sh
L exec --timeout 1800 -- sh /usr/lib/xk-lab/tests/guest-disk-dom0.sh \
    "${2:-32}"
