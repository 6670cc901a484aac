#!/bin/sh
# bench/fuzz.sh XK LAB [OPS [SEED...]] - an engine's speed in a running
# lab: one `xk fuzz run` per seed (default 1 2 3, OPS default 40), its
# "speed:" line (operations per second, the engine's own time in dom0,
# domain creation included) and the host's wall time.  ENGINE names the
# engine (toolstack, the default; hypercall; guest).
# Results: bench/fuzz.results.
set -u
XK=$1
LAB=$2
OPS=${3:-40}
ENGINE=${ENGINE:-toolstack}
shift 2
[ $# -gt 0 ] && shift
seeds=${*:-1 2 3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-fuzz-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for s in $seeds; do
	t0=$(date +%s)
	"$XK" fuzz run --lab "$LAB" --engine "$ENGINE" --seed "$s" --ops "$OPS" \
	    --log "$tmp/$s.log" --reports "$tmp/reports" >"$tmp/out" 2>&1
	t1=$(date +%s)
	creates=$(grep -c -e '^create ' -e '^# guest lost ' "$tmp/$s.log")
	echo "$ENGINE seed $s: $(grep '^speed:' "$tmp/out" ||
	    tail -n 1 "$tmp/out")" "($creates creates or guests lost;" \
	    "host wall $((t1 - t0)) s)"
done
