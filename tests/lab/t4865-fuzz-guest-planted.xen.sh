#!/bin/sh
# t4865-fuzz-guest-planted (on the host, against the suite's own
# hypervisor: tests/lab/xen-patches/0003 plants a crash in
# EVTCHNOP_bind_virq, reached only by a global VIRQ bound on a vCPU
# other than 0) - the guest engine finds it from an unprivileged guest,
# from seed 50 within 40 calls: Xen panics, the host's log holds every
# call up to the crashing one (the last, as on Xen's console), the
# report names the panic, and the lab is restarted.  The crashing call
# alone, replayed, crashes Xen again under the same report; on vCPU 0 it
# passes: the finding is the argument combination's.
#   t4865-fuzz-guest-planted.xen.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4865.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
T=$tmp/check
mkdir "$T" || exit 1
# ok, notok, check, exits, show, finish
. "$here/../lib.sh"
sig="Xen panicked: Assertion '!virq_is_global\(virq\) \|\| vcpu == 0' \
failed at common/event_channel.c:[0-9]+"
rep=$tmp/reports

exits "found from seed 50 within 40 calls" 1 "^found: $sig" \
    "$XK" fuzz run --lab "$LAB" --engine guest --seed 50 --ops 40 \
    --log "$tmp/run.log" --reports "$rep"
cat "$T/out"

# planted LINE: a bind of a global VIRQ (all but 0, 1, 7 and 13 of the
# 24) on a vCPU other than 0?
planted() {
	virq=$(echo "$1" | sed -n 's/^hc guest.evtchn.bind_virq virq=\([0-9]*\) .*/\1/p')
	vcpu=$(echo "$1" | sed -n 's/.* vcpu=\([0-9]*\)$/\1/p')
	[ -n "$virq" ] && [ -n "$vcpu" ] && [ "$virq" -lt 24 ] &&
	    [ "$vcpu" != 0 ] || return 1
	case $virq in 0 | 1 | 7 | 13) return 1 ;; esac
}
calls=$(grep -c '^hc ' "$tmp/run.log")
last=$(grep '^hc ' "$tmp/run.log" | tail -n 1)
# the console's copy: the last "xk-fuzz op N: LINE" before the panic
console=$(sed -n 's/\r$//; s/^.*xk-fuzz op \([0-9]*\): /\1 /p' \
    "$rep"/*/report | tail -n 1)
if planted "$last" && [ "$console" = "$((calls - 1)) $last" ] &&
    ! grep -q '^# done' "$tmp/run.log"; then
	ok "the log ends with the crashing call, number $calls as on Xen's console"
else
	show "$tmp/run.log"
	notok "the log ends with the crashing call (console: $console)"
fi
grep -q '^lab: restarted' "$T/out" && ok "the lab was restarted" ||
    notok "the lab was restarted"

{ head -n 1 "$tmp/run.log"; echo "$last"; } >"$tmp/one.log"
exits "the crashing call alone crashes Xen again the same way" 1 \
    "^found: $sig" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/one.log"
if [ "$(find "$rep" -name report | wc -l)" -eq 1 ]; then
	ok "one report for the signature"
else
	find "$rep" -type f | sed 's/^/#   /'
	notok "one report for the signature"
fi

sed 's/ vcpu=[0-9]*$/ vcpu=0/' "$tmp/one.log" >"$tmp/vcpu0.log"
check "on vCPU 0 the call passes" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/vcpu0.log"
check "the lab answers after it all" \
    "$XK" lab -n "$LAB" exec --timeout 120 -- xl info
finish
