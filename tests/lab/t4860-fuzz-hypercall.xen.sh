#!/bin/sh
# t4860-fuzz-hypercall (on the host, against the suite's own hypervisor:
# tests/lab/xen-patches/0002 plants a crash in
# XEN_DOMCTL_ioport_permission, reached only with an empty or wrapping
# port range on a live domain) - the hypercall engine finds it from
# seed 4407 within 2000 calls: Xen panics, the host's log holds every
# call up to the crashing one (also those the control channel lost:
# the engine writes each to Xen's console first), the report names the
# panic, and the lab is restarted.  shrink reduces the log to the two
# calls that make it (create a domain, the bad range on it); the
# reproducer crashes Xen again under the same report, and with a valid
# range it passes: the finding is the argument combination's.
#   t4860-fuzz-hypercall.xen.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4860.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
T=$tmp/check
mkdir "$T" || exit 1
# ok, notok, check, exits, show, finish
. "$here/../lib.sh"
sig="Xen panicked: Assertion 's <= e' failed at common/rangeset.c:[0-9]+ \
\(in rangeset_contains_range\)"
rep=$tmp/reports

exits "found from seed 4407 within 2000 calls" 1 "^found: $sig" \
    "$XK" fuzz run --lab "$LAB" --engine hypercall --seed 4407 --ops 2000 \
    --log "$tmp/run.log" --reports "$rep"
cat "$T/out"

# planted IOPORT_LINE: is it the crashing combination (first_port +
# nr_ports, as 32-bit, ends before first_port and within the 65536
# ports), on a slot?
planted() {
	fp=$(echo "$1" | sed -n 's/.* first_port=\([0-9]*\) .*/\1/p')
	np=$(echo "$1" | sed -n 's/.* nr_ports=\([0-9]*\) .*/\1/p')
	[ -n "$fp" ] && [ -n "$np" ] || return 1
	echo "$1" | grep -q '^hc domctl.ioport_permission dom=@[1-3] ' ||
	    return 1
	t=$(((fp + np) % 4294967296))
	e=$(((fp + np + 4294967295) % 4294967296))
	[ "$t" -le 65536 ] && [ "$fp" -gt "$e" ]
}
calls=$(grep -c '^hc ' "$tmp/run.log")
last=$(grep '^hc ' "$tmp/run.log" | tail -n 1)
# the console's copy: the last "xk-fuzz op N: LINE" before the panic
console=$(sed -n 's/\r$//; s/^.*xk-fuzz op \([0-9]*\): /\1 /p' \
    "$rep"/*/report | tail -n 1)
if planted "$last" && [ "$console" = "$((calls - 1)) $last" ] &&
    ! grep -q '^# done' "$tmp/run.log"; then
	ok "the log ends with the crashing call, number $calls as on Xen's \
console ($(grep -c '^# operations .* from Xen' "$tmp/run.log") notes of \
lines the channel lost)"
else
	show "$tmp/run.log"
	notok "the log ends with the crashing call (console: $console)"
fi
grep -q '^lab: restarted' "$T/out" && ok "the lab was restarted" ||
    notok "the lab was restarted"

check "shrink" "$XK" fuzz shrink --lab "$LAB" "$tmp/run.log" \
    -o "$tmp/min.log" --reports "$rep"
cat "$T/out"
n=$(grep -c '^hc ' "$tmp/min.log")
first=$(grep '^hc ' "$tmp/min.log" | head -n 1)
last=$(grep '^hc ' "$tmp/min.log" | tail -n 1)
slot=$(echo "$last" | sed -n 's/.* dom=\(@[1-3]\) .*/\1/p')
if [ "$n" -eq 2 ] && planted "$last" &&
    echo "$first" | grep -q "^hc domctl.createdomain dom=$slot "; then
	ok "shrunk to 2 calls: create a domain, the bad range on it"
else
	show "$tmp/min.log"
	notok "shrunk to 2 calls: create a domain, the bad range on it"
fi

exits "the reproducer crashes Xen again the same way" 1 "^found: $sig" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/min.log"
if [ "$(find "$rep" -name report | wc -l)" -eq 1 ] &&
    [ "$(find "$rep" -name reproducer | wc -l)" -eq 1 ]; then
	ok "one report for the signature, with its reproducer"
else
	find "$rep" -type f | sed 's/^/#   /'
	notok "one report for the signature, with its reproducer"
fi

sed 's/ first_port=[0-9]* nr_ports=[0-9]* / first_port=256 nr_ports=8 /' \
    "$tmp/min.log" >"$tmp/valid.log"
check "with a valid range the reproducer passes" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/valid.log"
check "the lab answers after it all" \
    "$XK" lab -n "$LAB" exec --timeout 120 -- xl info
finish
