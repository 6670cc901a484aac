#!/bin/sh
# t4855-fuzz-guest (on the host: tests/lab/run gives it xk and its lab)
# - xk fuzz's guest engine: the calls made from an unprivileged PVH
# guest (xk-guest-fuzz).  A run of 300 calls from seed 1 passes, logs
# only the guest's calls, reaches most of them with answers both ways,
# restarts the guest each time a call costs it (and says so), leaves no
# guest behind, and the seed alone decides the calls.  A replay in dom0
# shows what Xen answered: the guest may act on itself, never on dom0
# (the same calls, with dom0 named, refused).  A log mixing in dom0's
# calls is refused with its line.
# Usage: t4855-fuzz-guest.host.sh XK LAB
set -u
XK=$1
LAB=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4855.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1

exits "a run of 300 of the guest's calls passes" 0 \
    '^passed: 300 operations' \
    "$XK" fuzz run --lab "$LAB" --engine guest --seed 1 --ops 300 \
    --log "$tmp/run.log"
cat "$T/out"
grep -v '^#' "$tmp/run.log" >"$tmp/ops1"
n=$(grep -c '^hc guest\.' "$tmp/ops1")
if head -n 1 "$tmp/ops1" | grep -q '^xk-fuzz-log 1 engine=guest seed=1$' &&
    [ "$n" -eq 300 ] && [ "$(wc -l <"$tmp/ops1")" -eq 301 ]; then
	ok "the log: the guest engine's header, 300 of the guest's calls"
else
	show "$tmp/run.log"
	notok "the log: the guest engine's header, 300 of the guest's calls"
fi

# "# calls NAME ok=N failed=N": most calls made, Xen saying yes and no
calls=$(grep -c '^# calls guest\.' "$tmp/run.log")
sums=$(awk '/^# calls /{ sub("ok=", "", $4); sub("failed=", "", $5);
    o += $4; f += $5 } END { print o + 0, f + 0 }' "$tmp/run.log")
oks=${sums% *}
fails=${sums#* }
if [ "$calls" -ge 40 ] && [ "${oks:-0}" -ge 50 ] && [ "${fails:-0}" -ge 50 ]
then
	ok "$calls different calls, $oks answered ok and $fails refused"
else
	grep '^# calls' "$tmp/run.log" | sed 's/^/#   /'
	notok "most calls made, answered both ways ($calls calls, ok ${oks:-?}, failed ${fails:-?})"
fi

lost=$(grep -c '^# guest lost op=' "$tmp/run.log")
starts=$(sed -n 's/^# guest starts=\([0-9]*\)$/\1/p' "$tmp/run.log")
if [ "${starts:-0}" -eq $((lost + 1)) ]; then
	ok "the guest was started again after each of the $lost losses"
else
	grep '^# guest' "$tmp/run.log" | sed 's/^/#   /'
	notok "one start, and one after each loss ($lost lost, ${starts:-no} starts)"
fi

check "no guest left behind" "$XK" lab -n "$LAB" exec -- xl list
if grep -q xk-fuzz-guest "$T/out"; then
	show "$T/out"
	notok "xl list shows no xk-fuzz-guest"
else
	ok "xl list shows no xk-fuzz-guest"
fi

check "the same seed again" "$XK" fuzz run --lab "$LAB" --engine guest \
    --seed 1 --ops 300 --log "$tmp/run2.log"
if grep -v '^#' "$tmp/run2.log" | cmp -s - "$tmp/ops1"; then
	ok "the seed alone decides the calls"
else
	grep -v '^#' "$tmp/run2.log" | diff "$tmp/ops1" - | show /dev/stdin
	notok "the seed alone decides the calls"
fi

# What Xen answers the guest (DOMID_SELF is 32752): an unbound port of
# its own for dom0 (0), but none in dom0's table (-EPERM, -1); 4 of its
# spare frames populated, none of dom0's (the reservation calls answer
# how many extents they did); an NMI to itself without an IDT costs the
# guest (a triple fault: reboot), and the next call has a new one.
cat >"$tmp/self.log" <<'EOF'
xk-fuzz-log 1 engine=guest seed=0
hc guest.evtchn.alloc_unbound dom=32752 remote=0
hc guest.evtchn.alloc_unbound dom=0 remote=32752
hc guest.memory.populate_physmap dom=32752 extents=gfns nr=4 order=0 flags=0x0
hc guest.memory.populate_physmap dom=0 extents=gfns nr=4 order=0 flags=0x0
hc guest.vcpu.send_nmi vcpu=0
hc guest.xen_version cmd=0 arg=null
EOF
cat >"$tmp/want" <<'EOF'
# rc op=0: 0
# rc op=1: -1
# rc op=2: 4
# rc op=3: 0
# guest lost op=4: reboot
EOF
check "a replay in dom0" sh -c '"$1" lab -n "$2" cp "$3" lab:/tmp/t4855.log &&
    "$1" lab -n "$2" exec --timeout 120 -- \
    sh -c "xk fuzz engine --replay </tmp/t4855.log"' sh "$XK" "$LAB" \
    "$tmp/self.log"
grep -e '^# rc op=[0-4]:' -e '^# guest lost' "$T/out" |
    sed 's/: xk-fuzz-guest (domid [0-9]*)//' >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got" &&
    grep -q '^# rc op=5: 262161$' "$T/out"; then	# 4.17: 0x40011
	ok "the guest acts on itself, never on dom0; lost once, then back"
else
	diff "$tmp/want" "$tmp/got" | sed 's/^/#   /'
	show "$T/out"
	notok "the guest acts on itself, never on dom0; lost once, then back"
fi

printf 'xk-fuzz-log 1 engine=guest seed=0\nhc guest.sched.yield\n%s\n' \
    'hc domctl.getdomaininfo dom=@1' >"$tmp/mixed.log"
exits "a log of the guest engine with one of dom0's calls: refused" 1 \
    'mixed.log:3:4: one of dom0.s calls in a log of the guest engine' \
    "$XK" fuzz replay --lab "$LAB" "$tmp/mixed.log"
finish
