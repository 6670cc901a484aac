#!/bin/sh
# hotplug.sh [XK [GUESTS [ROUNDS]]] - xenkit's block and vif-bridge
# hotplug scripts against Debian's Xen 4.17 ones, side by side in one
# lab: add+remove of one file-backed disk and online+offline of one vif
# on a bridge (ROUNDS times each, default 5), and GUESTS (default
# 40) paused guests attaching one read-only file at once (issue 17's
# target: at least 5x faster than Debian's, never near libxl's 40 s).
# Uses the lab XK_LAB_NAME (default bench-hotplug), booted from this
# build if it is not running (the boot carries share/hotplug and the
# helper); bench/hotplug-dom0.sh does the work.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
XK=${1:-$top/build/src/xk}
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
bench_lab bench-hotplug
L cp "$top/bench/hotplug-dom0.sh" lab:/usr/lib/xk-lab/tests/hotplug-dom0.sh
L exec --timeout 3000 -- sh /usr/lib/xk-lab/tests/hotplug-dom0.sh \
    "${2:-40}" "${3:-5}"
