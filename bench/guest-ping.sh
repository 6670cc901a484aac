#!/bin/sh
# guest-ping.sh - ping latency from dom0 to xk-guest-net (guest/bin/
# net.c) and to the lab's Debian Linux test guest, each on a vif on a
# bridge in dom0 (xenkit's vif-bridge), as PV and PVH, in one lab run
# (Xen 4.17 under QEMU TCG, shared with whatever else runs on this
# machine).  Numbers only, no pass/fail.
#
#   bench/guest-ping.sh [XK]     (default: build/src/xk)
#
# XK_LAB_NAME names the lab it boots (default bench-ping; shut down at
# the end), XK_BENCH_PINGS the pings per guest (default 20, one a
# second, after two to warm up ARP and caches).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
XK=${1:-$top/build/src/xk}
[ -x "$XK" ] || { echo "guest-ping: no xk at $XK" >&2; exit 1; }
lab=${XK_LAB_NAME:-bench-ping}
L() { "$XK" lab -n "$lab" "$@"; }
trap 'L down >/dev/null 2>&1' EXIT INT TERM
L up >&2
L cp "$top/bench/guest-ping-dom0.sh" lab:/tmp/guest-ping-dom0.sh >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# guest          type min/avg/max"
L exec --timeout 3000 -- sh /tmp/guest-ping-dom0.sh \
    "${XK_BENCH_PINGS:-20}"
