#!/bin/sh
# t4890-fuzz-checkpoint (on the host: tests/lab/run gives it xk and its
# lab, on Debian's binary Xen 4.17) - the whole lab saved and loaded
# (xk lab save, restore), and xk fuzz run --checkpoint resuming from it
# after a crash (issue 20):
#
# - a xenstore node and a paused domain made before a save are there,
#   as they were, after a restore, though both were changed in between;
#   the checkpoint file is whole (no temporary left);
# - a toolstack run of 30 operations with a checkpoint every 10, the
#   test hook crashing Xen before operation 15 (XK_FUZZ_CRASH_AT: the
#   vpic_save bug, a real panic of Debian's Xen): the crash is reported
#   under its panic, the lab comes back from checkpoint 1, the engine
#   finds there the domains and nodes the model had at operation 10
#   (its "# resumed" line; Xen is checked against the model first), and
#   the run ends, passed, along another path; its log replays;
# - bad input: a missing checkpoint (the rest, without a lab:
#   tests/fuzzer/t4810-fuzz-cli.sh).
# Usage: t4890-fuzz-checkpoint.host.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4890.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
. "$here/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1
lx() { "$XK" lab -n "$LAB" exec --timeout 120 -- "$@"; }
node=/local/domain/0/xk-t4890
cfg=/tmp/xk-t4890.cfg

# --- xk lab save, restore
lx sh -c "printf '%s\n' 'name = \"xk-t4890\"' 'type = \"pv\"' \
    'kernel = \"/usr/lib/xk-lab/guests/xk-guest-xs\"' 'memory = 16' >$cfg &&
    xl create -p $cfg >/dev/null 2>&1 && xenstore-write $node before" ||
    notok "set up a node and a paused domain in dom0"
check "xk lab save" "$XK" lab -n "$LAB" save "$tmp/lab.ckpt"
[ -s "$tmp/lab.ckpt" ] && [ -z "$(find "$tmp" -maxdepth 1 -name '.lab.ckpt.*')" ] &&
    ok "the checkpoint is whole, no temporary left" ||
    notok "the checkpoint is whole, no temporary left"
lx sh -c "xenstore-write $node after && xl destroy xk-t4890" ||
    notok "change them after the save"
check "xk lab restore" "$XK" lab -n "$LAB" restore "$tmp/lab.ckpt"
[ "$(lx xenstore-read $node)" = before ] &&
    ok "the node has its value of the save" ||
    notok "the node has its value of the save"
lx xl list xk-t4890 >"$T/list" 2>&1 && grep -q ' --p--- ' "$T/list" &&
    ok "the domain destroyed after the save is back, paused" ||
    { show "$T/list"; notok "the domain destroyed after the save is back, paused"; }
lx sh -c "xl destroy xk-t4890; xenstore-rm $node; rm -f $cfg" >/dev/null 2>&1
exits "restore of a missing file: refused" 1 "no-such.ckpt" \
    "$XK" lab -n "$LAB" restore "$tmp/no-such.ckpt"
check "the lab still answers after the refusal" lx true

# --- xk fuzz run --checkpoint: a crash, resumed
sig='Xen panicked: FATAL PAGE FAULT \(in vpic.c#vpic_save\)'
XK_FUZZ_CRASH_AT=15 "$XK" fuzz run --lab "$LAB" --seed 48 --ops 30 \
    --checkpoint 10 --log "$tmp/run.log" --reports "$tmp/rep" \
    >"$T/run" 2>&1
rc=$?
sed 's/^/#   /' "$T/run"
[ "$rc" -eq 0 ] && grep -q '^passed: 30 operations' "$T/run" &&
    ok "the run went on after the crash and passed" ||
    notok "the run went on after the crash and passed (exit $rc)"
grep -Eq "^found: $sig" "$T/run" && grep -q '^report: ' "$T/run" &&
    ok "the crash was reported under its panic" ||
    notok "the crash was reported under its panic"
grep -q '^resumed: the lab from checkpoint 1 (operation 10)' "$T/run" &&
    ok "resumed from checkpoint 1" || notok "resumed from checkpoint 1"
res=$(sed -n 's/^# resumed ops=10 domains=\([0-9]*\) nodes=\([0-9]*\)$/\1 \2/p' \
    "$tmp/run.log" | head -n 1)
if [ -n "$res" ] && [ "$res" != "0 0" ]; then
	ok "the state of operation 10 was there, as the model had it ($res)"
else
	notok "the state of operation 10 was there, as the model had it"
fi
grep -q '^# resumed from checkpoint 1 after a crash' "$tmp/run.log" &&
    ! grep -q '^# crash-at' "$tmp/run.log" &&
    ok "the log is the path the lab took (the crashed one cut off)" ||
    notok "the log is the path the lab took (the crashed one cut off)"
# the report's log: the 15 operations of the crashed path (up to the
# crash, which came before the 16th)
n=$(awk '/^--- log ---/ { on = 1; next } /^--- serial log/ { on = 0 }
    on && !/^#/ && !/^xk-fuzz-log / && NF { n++ } END { print n + 0 }' \
    "$tmp"/rep/*/report)
[ "$n" -eq 15 ] && ok "the report holds the crashed path (15 operations)" ||
    notok "the report holds the crashed path (15 operations, not $n)"
state=$("$XK" lab -n "$LAB" status 2>/dev/null | sed -n 's/^state: *//p')
[ -n "$state" ] && [ ! -e "$state/fuzz.checkpoint" ] &&
    ok "the run's checkpoint is removed after it" ||
    notok "the run's checkpoint is removed after it"
check "the log replays" "$XK" fuzz replay --lab "$LAB" --reports "$tmp/rep" \
    "$tmp/run.log"

check "the lab answers" lx xl info
finish
