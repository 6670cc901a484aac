#!/bin/sh
# bench/fuzz-coverage.sh XK LAB [MINUTES [SEED [OPS]]] - coverage
# guidance against none, side by side in one lab that boots a coverage
# build of Xen: `xk fuzz guided` for MINUTES (default 10) from SEED
# (default 1) with inputs of OPS calls (default 200), then the same with
# --unguided; prints each run's edges over time (every minute) and its
# totals.  Results: bench/fuzz-coverage.results.
set -u
XK=$1
LAB=$2
MINUTES=${3:-10}
SEED=${4:-1}
OPS=${5:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-fuzzcov.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for mode in guided unguided; do
	flag=
	[ "$mode" = unguided ] && flag=--unguided
	# shellcheck disable=SC2086 # flag: one option or none
	"$XK" fuzz guided --lab "$LAB" --minutes "$MINUTES" --seed "$SEED" \
	    --ops "$OPS" --reports "$tmp/reports" $flag >"$tmp/$mode.out" 2>&1
	echo "# $mode: edges at each minute"
	awk '/^[0-9.]+ s: input / {
		t = $1 + 0; m = int(t / 60) + 1
		e = $0; sub(/ in all.*/, "", e); sub(/.*edges, /, "", e)
		last[m] = e; if (m > max) max = m }
	    END { for (i = 1; i <= max; i++) if (i in last)
		printf "  minute %d: %s edges\n", i, last[i] }' "$tmp/$mode.out"
	tail -n 1 "$tmp/$mode.out" | sed 's/^/  /'
	grep -c '^[0-9.]* s: input .*found' "$tmp/$mode.out" |
	    sed 's/^/  inputs with a finding: /'
done
