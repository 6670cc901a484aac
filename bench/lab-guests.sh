#!/bin/sh
# lab-guests.sh [XK [BASE]] - what the lab's tests gained from booting
# xk-guest-disk (the unikernel, guest/bin/disk.c) instead of the Linux
# test guest where Linux is not what is tested: each such test as it
# was at commit BASE (Linux; default e19bfee, before the switch) and
# as it is now, one after the other in the same lab, each timed.
# Reported, never pass/fail.  Uses the lab XK_LAB_NAME (default
# bench-lab-guests), booted from this build if it is not running.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
XK=${1:-$top/build/src/xk}
BASE=${2:-e19bfee}
TESTS="t3500-xva-boot t4500-snapshot t4550-snapshot-memory t5050-qdisk
t4600-snapshot-lvm t4650-snapshot-reflink t6050-events-reasons"
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
bench_lab bench-lab-guests
out=$(mktemp -d)
trap 'rm -rf "$out"; [ "$started" = 0 ] || L down >/dev/null 2>&1' EXIT
trap 'exit 1' INT TERM

# timed NAME FILE: run FILE in dom0 as a lab test; "SECONDS ok|FAILED"
timed() {
	L cp "$2" "lab:/usr/lib/xk-lab/tests/bench-$1.sh"
	t0=$(date +%s)
	if L exec --timeout 2400 -- sh "/usr/lib/xk-lab/tests/bench-$1.sh" \
	    >"$out/$1.log" 2>&1; then
		r=ok
	else
		r=FAILED
		tail -n 20 "$out/$1.log" >&2
	fi
	echo "$(($(date +%s) - t0)) $r"
}

printf '%-24s %14s %14s\n' test "Linux ($BASE)" "xk-guest-disk"
total_old=0 total_new=0
for t in $TESTS; do
	git -C "$top" show "$BASE:tests/lab/$t.sh" >"$out/old.sh"
	read -r old old_r <<-EOT
	$(timed "$t-linux" "$out/old.sh")
	EOT
	read -r new new_r <<-EOT
	$(timed "$t" "$top/tests/lab/$t.sh")
	EOT
	printf '%-24s %10s s %-3s %8s s %s\n' "$t" "$old" \
	    "$([ "$old_r" = ok ] || echo "$old_r")" "$new" \
	    "$([ "$new_r" = ok ] || echo "$new_r")"
	total_old=$((total_old + old)) total_new=$((total_new + new))
done
printf '%-24s %10s s     %8s s\n' total "$total_old" "$total_new"
echo "($(date -u +%F), $(nproc) host CPUs, lab $lab)"
