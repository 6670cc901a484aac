#!/bin/sh
# t4850-fuzz-planted (on the host: tests/lab/run gives it xk and its
# lab) - xk fuzz finds a planted toolstack bug and keeps it.  With
# XK_FUZZ_PLANT=vcpus-pause (xk-fuzz(1): the engine's checker sees a
# domain paused after a vcpus operation as running), seed 22 finds it
# within 30 operations, with every operation up to the failing one in
# the host's log; shrink reduces the log to the three operations that
# make it (create, vcpus, pause of one domain); replaying the
# reproducer fails again with the same signature, under one report.
# Without the plant the reproducer passes: the finding is the plant's.
# Usage: t4850-fuzz-planted.host.sh XK LAB
set -u
XK=$1
LAB=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4850.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1
sig='after pause: the paused flag differs from the model'
rep=$tmp/reports

export XK_FUZZ_PLANT=vcpus-pause
exits "found from seed 22 within 30 operations" 1 "^found: $sig" \
    "$XK" fuzz run --lab "$LAB" --seed 22 --ops 30 --log "$tmp/run.log" \
    --reports "$rep"
cat "$T/out"
started=$(grep -c -v -e '^#' -e '^xk-fuzz-log ' "$tmp/run.log")
failing=$(sed -n 's/^# violation op=\([0-9]*\)\t.*/\1/p' "$tmp/run.log")
if [ -n "$failing" ] && [ "$started" -ge 1 ] && [ "$started" -le 30 ] &&
    tail -n 3 "$tmp/run.log" | grep -q "^pause d"; then
	ok "the log holds every operation up to the failing pause ($started)"
else
	show "$tmp/run.log"
	notok "the log holds every operation up to the failing pause"
fi

check "shrink" "$XK" fuzz shrink --lab "$LAB" "$tmp/run.log" \
    -o "$tmp/min.log" --reports "$rep"
cat "$T/out"
ops=$(grep -v -e '^#' -e '^xk-fuzz-log ' "$tmp/min.log" | cut -d' ' -f1,2 |
    tr '\n' ' ')
d=$(grep '^pause ' "$tmp/min.log" | cut -d' ' -f2)
if [ "$ops" = "create $d vcpus $d pause $d " ]; then
	ok "shrunk to create, vcpus, pause of one domain"
else
	show "$tmp/min.log"
	notok "shrunk to create, vcpus, pause of one domain (got: $ops)"
fi

exits "the reproducer fails again the same way" 1 "^found: $sig" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/min.log"
n=$(find "$rep" -name report | wc -l)
r=$(find "$rep" -name reproducer | wc -l)
if [ "$n" -eq 1 ] && [ "$r" -eq 1 ] &&
    grep -q "^signature: $sig" "$rep"/*/report; then
	ok "one report for the signature, with its reproducer"
else
	find "$rep" -type f | sed 's/^/#   /'
	notok "one report for the signature, with its reproducer"
fi

unset XK_FUZZ_PLANT
check "without the plant the reproducer passes" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/min.log"
finish
