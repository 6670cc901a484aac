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
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
bench_lab bench-guest-disk
L cp "$top/bench/guest-disk-dom0.sh" lab:/usr/lib/xk-lab/tests/guest-disk-dom0.sh
L exec --timeout 1800 -- sh /usr/lib/xk-lab/tests/guest-disk-dom0.sh \
    "${2:-32}"
