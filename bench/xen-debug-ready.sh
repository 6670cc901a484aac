#!/bin/sh
# bench/xen-debug-ready.sh [XK [ROUNDS]] - dom0-ready time (xk lab up's
# "dom0 ready in N s") of a debug hypervisor (xk lab xen --config
# CONFIG_DEBUG=y, built or taken from the cache) against Debian's
# binary, in one run: the two booted in turn, ROUNDS times (default 2),
# one lab at a time, so that both see the same load.  Reported, never
# pass/fail; the load average is printed beside each boot.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
xk=${1:-$top/build/src/xk}
rounds=${2:-2}
lab="bench-dbg-$$"
out=$(mktemp)
trap '"$xk" lab -n "$lab" down >/dev/null 2>&1; rm -f "$out"' EXIT

dbg=$("$xk" lab xen --config CONFIG_DEBUG=y) || exit 1
boot() {	# boot NAME XEN
	"$xk" lab -n "$lab" up --xen "$2" >"$out" 2>&1 || { cat "$out"; exit 1; }
	printf '%-8s %s   (load %s)\n' "$1" \
	    "$(grep -o 'dom0 ready in [0-9.]* s' "$out")" \
	    "$(cut -d' ' -f1-3 /proc/loadavg)"
	"$xk" lab -n "$lab" down >/dev/null || exit 1
}
i=0
while [ "$i" -lt "$rounds" ]; do
	boot debian debian
	boot debug "$dbg"
	i=$((i + 1))
done
