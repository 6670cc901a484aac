#!/bin/sh
# bench/fuzz-campaign.sh XK LAB ENGINE MINUTES [FIRST-SEED [OPS]] - a
# fuzzing campaign in a running lab: `xk fuzz run --engine ENGINE` over
# seeds FIRST-SEED (default 1), the next, ... with OPS operations each
# (default 2000 for hypercall, 40 for toolstack) until MINUTES have
# passed; every finding is kept in one reports directory (one per
# signature; xk fuzz restarts the lab after a crash and the next seed
# goes on).  Prints one line a run, then the totals: runs, operations,
# operations per second of the engine's own time, and each signature
# with the seeds that found it.  Results: bench/fuzz-campaign.results.
# CAMPAIGN_DIR keeps the logs and reports (default: a temporary
# directory, removed); FUZZ_ARGS adds options to each run (as
# "--checkpoint 50").
set -u
XK=$1
LAB=$2
ENGINE=$3
MINUTES=$4
seed=${5:-1}
case $ENGINE in
hypercall) ops=${6:-2000} ;;
*) ops=${6:-40} ;;
esac
dir=${CAMPAIGN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/xk-campaign.XXXXXX")}
[ -n "${CAMPAIGN_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/logs" || exit 1
end=$(($(date +%s) + MINUTES * 60))
runs=0 total=0 ms=0 done_ops=0
while [ "$(date +%s)" -lt "$end" ]; do
	# shellcheck disable=SC2086 # FUZZ_ARGS: options, one word each
	"$XK" fuzz run --lab "$LAB" --engine "$ENGINE" --seed "$seed" \
	    --ops "$ops" --log "$dir/logs/$seed.log" --reports "$dir/reports" \
	    ${FUZZ_ARGS:-} >"$dir/out" 2>&1
	n=$(grep -c -v -e '^#' -e '^xk-fuzz-log ' "$dir/logs/$seed.log")
	# the engine's time: one "# done" a run, or a segment
	t=$(awk -F'ms=' '/^# done ops=[0-9]* ms=[0-9]*$/ { s += $2; k++ }
	    END { if (k) print s }' "$dir/logs/$seed.log")
	# how it ended (a run with checkpoints may have gone on after
	# crashes: each one found is counted below)
	what=$(grep -e '^found:' -e '^passed:' "$dir/out" | tail -n 1)
	[ -n "$what" ] || what=$(tail -n 1 "$dir/out")
	resumed=$(grep -c '^resumed: ' "$dir/out")
	[ "$resumed" -eq 0 ] || what="$what (after $resumed crashes resumed)"
	echo "seed $seed: $n operations${t:+ in $t ms}: $what"
	grep '^found:' "$dir/out" | sed "s/^/$seed /" >>"$dir/outcomes"
	runs=$((runs + 1))
	total=$((total + n))
	if [ -n "$t" ]; then
		ms=$((ms + t))
		done_ops=$((done_ops + n))
	fi
	seed=$((seed + 1))
done
echo "campaign: $runs runs, $total operations, engine $ENGINE"
[ "$ms" -gt 0 ] && echo "speed (runs that finished): $(awk -v n="$done_ops" \
    -v ms="$ms" 'BEGIN { printf "%.1f", n * 1000 / ms }') operations/s"
grep ' found: ' "$dir/outcomes" 2>/dev/null | cut -d' ' -f3- | sort |
    uniq -c | while read -r count sig; do
	seeds=$(grep -F " found: $sig" "$dir/outcomes" | cut -d' ' -f1 |
	    head -n 5 | tr '\n' ' ')
	echo "found $count times: $sig (seeds $seeds...)"
done
