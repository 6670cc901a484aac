#!/bin/sh
# t6910-events-log-bounds - xk events on hostile logs: a line far longer
# than any event, a log that never ends (/dev/zero), a torn last line,
# and too little memory for a whole line.  Memory must stay bounded
# (peak RSS, GNU time), nothing may be dropped silently.
# Usage: t6910-events-log-bounds.sh XK BUILD-DIR
set -u
XK=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t6910.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1

event='{"ts":"2026-11-21T22:10:03.123Z","event":"create","domain":"web","domid":7,"uuid":"11111111-2222-3333-4444-555555555555","reason":"none","source":"hypervisor"}'

# 256 MiB of one line, then a real event: the line is skipped and
# counted, the event after it is shown, memory stays far below the line
big=$tmp/big.jsonl
head -c $((256 * 1024 * 1024)) /dev/zero | tr '\0' x >"$big"
printf '\n%s\n' "$event" >>"$big"
/usr/bin/time -f '%M' -o "$tmp/rss" "$XK" events --log "$big" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
check "long line: exit 0" test "$rc" -eq 0
check "long line: the event after it is shown" grep -q 'create .*web' \
    "$tmp/out"
check "long line: counted and named" \
    grep -q 'line(s) are not events.*line 1: line too long' "$tmp/err"
rss=$(tail -n 1 "$tmp/rss")
check "long line: peak RSS ${rss} KiB under 64 MiB" test "$rss" -lt 65536

# a log that is a device: refused, at once
timeout 60 "$XK" events --log /dev/zero >/dev/null 2>"$tmp/err"
rc=$?
check "/dev/zero: exit 1 (not a hang: 124)" test "$rc" -eq 1
check "/dev/zero: says why" grep -q 'not a regular file' "$tmp/err"

# a torn last line is not read, and said so (xk-events(1), (5))
printf '%s\n%s' "$event" '{"ts":"2026-11-21T22:1' >"$tmp/torn.jsonl"
"$XK" events --log "$tmp/torn.jsonl" >"$tmp/out" 2>"$tmp/err"
check "torn tail: exit 0, the whole event shown" test "$(wc -l <"$tmp/out")" -eq 1
check "torn tail: a warning says it was not read" \
    grep -q 'last line has no newline.*not read' "$tmp/err"

# too little address space to hold the long line: the reader never
# needs it, so the event after it is still shown (an allocation that
# failed used to end the reading with exit 0).  Not under ASan, whose
# shadow memory needs terabytes of address space.
if ldd "$XK" 2>/dev/null | grep -q libasan; then
	skip "small address space" "AddressSanitizer needs terabytes of it"
else
	# shellcheck disable=SC3045 # dash, the sh here, has ulimit -v
	(ulimit -v 131072 && "$XK" events --log "$big") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "small address space: exit 0" test "$rc" -eq 0
	check "small address space: the event is shown" \
	    grep -q 'create .*web' "$tmp/out"
fi

finish
