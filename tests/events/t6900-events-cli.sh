#!/bin/sh
# t6900-events-cli - xk events on a recorded log, and the command-line
# errors of xk events, xk monitor and xk create (no Xen needed).
# Usage: t6900-events-cli.sh XK BUILD-DIR
set -u
XK=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t6900.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# ok, notok, check, finish; check keeps its output files apart, in $T
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1

log=$tmp/events.jsonl
cat >"$log" <<'EOL'
{"ts":"2026-11-21T22:10:03.123Z","event":"create","domain":"web","domid":7,"uuid":"11111111-2222-3333-4444-555555555555","reason":"none","source":"hypervisor"}
{"ts":"2026-11-21T22:11:03.000Z","event":"shutdown","domain":"web","domid":7,"uuid":"11111111-2222-3333-4444-555555555555","reason":"reboot","source":"xl-log"}
{"ts":"2026-11-21T22:11:03.001Z","event":"death","domain":"web","domid":7,"uuid":"11111111-2222-3333-4444-555555555555","reason":"reboot","source":"xl-log"}
{"ts":"2026-11-21T22:11:04.500Z","event":"restart","domain":"web","domid":8,"uuid":"11111111-2222-3333-4444-555555555555","reason":"reboot","source":"hypervisor","previous_domid":7}
{"ts":"2026-11-21T22:12:00.000Z","event":"create","domain":"db","domid":9,"uuid":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","reason":"none","source":"hypervisor"}
EOL

"$XK" events --log "$log" >"$tmp/out" 2>"$tmp/err"
check "text: one line per event" test "$(wc -l <"$tmp/out")" -eq 5
check "text: restart shows the previous domid" \
    grep -q "restart .*domid 8 .*reason reboot .*previous domid 7" "$tmp/out"
check "text: no warning on a clean log" test ! -s "$tmp/err"

"$XK" events --log "$log" --json >"$tmp/json" 2>"$tmp/err"
check "--json: exit 0" test $? -eq 0
if command -v python3 >/dev/null 2>&1; then
	check "--json: one JSON array of 5 events" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 5, d
assert d[3]["event"] == "restart" and d[3]["previous_domid"] == 7
assert d[1]["reason"] == "reboot" and d[1]["source"] == "xl-log"
' "$tmp/json"
fi

n=$("$XK" events --log "$log" --since 2026-11-21T22:11:03Z | wc -l)
check "--since RFC 3339 (inclusive)" test "$n" -eq 4
n=$("$XK" events --log "$log" --since 2026-11-21T23:11:03.001+01:00 | wc -l)
check "--since with an offset and milliseconds" test "$n" -eq 3
sed 's/"ts":"2026-11-21/"ts":"2001-01-01/' "$log" >"$tmp/old.jsonl"
n=$("$XK" events --log "$tmp/old.jsonl" --since -1h | wc -l)
check "--since relative: older events left out" test "$n" -eq 0
n=$("$XK" events --log "$tmp/old.jsonl" --since -100000d | wc -l)
check "--since relative: newer events kept" test "$n" -eq 5
n=$("$XK" events --log "$log" --domain db | wc -l)
check "--domain NAME" test "$n" -eq 1
n=$("$XK" events --log "$log" --domain 11111111-2222-3333-4444-555555555555 |
    wc -l)
check "--domain UUID" test "$n" -eq 4
n=$("$XK" events --log "$log" --domain 7 | wc -l)
check "--domain DOMID" test "$n" -eq 3

"$XK" events --log "$log" --since yesterday >/dev/null 2>"$tmp/err"
check "bad --since: exit 2" test $? -eq 2
check "bad --since: says why" grep -q "bad time 'yesterday'" "$tmp/err"

"$XK" events --log "$tmp/none.jsonl" >"$tmp/out" 2>&1
check "missing log: empty, exit 0" test $? -eq 0 -a ! -s "$tmp/out"

{ cat "$log"; echo 'garbage'; echo '{"ts":"2026-11-21T22:13:00Z"}'; } \
    >"$tmp/bad.jsonl"
"$XK" events --log "$tmp/bad.jsonl" >"$tmp/out" 2>"$tmp/err"
check "bad lines: still exit 0" test $? -eq 0
check "bad lines: good events shown" test "$(wc -l <"$tmp/out")" -eq 5
check "bad lines: reported with the first line number" \
    grep -q "2 line(s) are not events, skipped (first: line 6" "$tmp/err"

"$XK" events --log "$log" --follow --socket "$tmp/no.sock" >/dev/null \
    2>"$tmp/err"
check "--follow without a monitor: exit 1" test $? -eq 1
check "--follow without a monitor: says so" \
    grep -q "cannot follow (is xk monitor running?)" "$tmp/err"

"$XK" monitor --bogus >/dev/null 2>&1
check "monitor: unknown option, exit 2" test $? -eq 2
"$XK" monitor --interval 0 >/dev/null 2>&1
check "monitor: bad --interval, exit 2" test $? -eq 2
"$XK" create >/dev/null 2>&1
check "create: no CFG, exit 2" test $? -eq 2
"$XK" create "$tmp/nonexistent.cfg" >/dev/null 2>"$tmp/err"
check "create: missing CFG, exit 1" test $? -eq 1
check "create: missing CFG names it" grep -q "nonexistent.cfg" "$tmp/err"

finish
