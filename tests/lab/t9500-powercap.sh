#!/bin/sh
# xk powercap on real Xen (issue 19): with guests that burn every pCPU,
# targets of 10, 25 and 50% idle are reached and held (Xen's own idle
# counters, a 20 s mean); a domain created while enforcing is capped and
# one destroyed is forgotten; dom0 is never capped; idle guests get
# nothing injected; a daemon killed with SIGKILL leaves caps that
# `xk powercap repair` and the next start give back; bad targets are
# refused, and so is the hypervisor mechanism on Debian's Xen.
#
# Tolerance: the 20 s mean within 5 points of the target.  The lab's
# dom0 is itself busy and noisy under TCG on a host other labs load
# (its own use of the two pCPUs swings by tens of points from one 1 s
# window to the next), and the loop can only answer it a window late;
# the issue's 2 points is a bench figure (bench/), not a pass mark.
# dom0 is never capped, so a target above the idle that dom0 alone
# leaves (measured first, with the guests paused) cannot be reached:
# such a target is reported as skipped, with the numbers.  The waits
# poll every 2 s with shell builtins: under TCG every process dom0
# starts costs tens of ms of a pCPU, which the loop would see as load.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=powercap-lib.sh
. /usr/lib/xk-lab/tests/powercap-lib.sh
D=/tmp/t9500
TOL=5
pid=

cleanup() {
	spin_cleanup pc-spin 1 2 3
	rm -rf "$D"
}
trap cleanup EXIT
rm -rf "$D"

recorded() { grep -q "^dom $(timeout 20 xl domid "$1") " "$D/powercap.state"; }
expect_refused() {	# expect_refused WORDS -- ARGS...
	_w=$1
	shift
	if xk powercap set --dir "$D" "$@" >"$D/out" 2>&1; then
		fail "set $*: accepted"
	fi
	grep -q "$_w" "$D/out" || fail "set $*: said $(cat "$D/out")"
	[ "$(sed -n 's/^target //p' "$D/powercap.conf")" = 5 ] ||
	    fail "set $*: the settings changed"
}

log "bad targets: refused, nothing written"
mkdir -p "$D"
xk powercap set --dir "$D" 5 2>/dev/null || fail "set 5"
expect_refused "above max_idle" 60
expect_refused "bad target" 101
expect_refused "bad target" abc
expect_refused "negative" -3
expect_refused "the host has" --cpus 7 10
expect_refused "bad --window" --window 20 10
# Debian's Xen has no XEN_SYSCTL_idle_inject (share/xen-patches/powercap;
# t9520 uses it on the suite's own build)
expect_refused "XEN_SYSCTL_idle_inject answers ENOSYS" --mechanism xen 25
xk powercap stop --dir "$D" 2>/dev/null || fail "stop"

log "two guests burn both pCPUs"
for n in 1 2; do
	spin_cfg pc-spin$n
	create "pc-spin$n"
done
natural=$(host_idle 5000)
echo "natural idle with the guests burning: $natural%"
near "$natural" 0 10 || fail "the guests do not burn the pCPUs ($natural% idle)"

timeout 20 xl pause pc-spin1 && timeout 20 xl pause pc-spin2 || fail "xl pause"
room=$(host_idle 10000)
timeout 20 xl unpause pc-spin1 && timeout 20 xl unpause pc-spin2 || fail "xl unpause"
echo "idle that dom0 alone leaves (guests paused): $room%"
start_daemon
held=0
for t in 10 25 50; do
	if near "$natural" 100 $((100 - t + TOL)); then
		echo "target $t%: skipped: $natural% idle without injection" \
		    "is within $TOL points of it: nothing to tell apart"
		continue
	fi
	if ! near "$room" 100 $((100 - t - 2 * TOL)); then
		echo "target $t%: skipped: dom0 alone leaves $room% idle," \
		    "less than $t% + $((2 * TOL)) points (dom0 is never capped)"
		continue
	fi
	xk powercap set --dir "$D" "$t" 2>/dev/null || fail "set $t"
	t0=$(now_ms)
	slow_wait 120 settled "$t" "$TOL" || fail "target $t: not reached ($(st idle)%)"
	echo "target $t%: a window within $TOL points after $(( $(now_ms) - t0 )) ms"
	m=$(host_idle 20000)
	echo "target $t%: $m% idle over 20 s, injecting $(st inject)%," \
	    "caps $(cap_of pc-spin1) $(cap_of pc-spin2)"
	near "$m" "$t" $TOL || fail "target $t: held at $m%"
	held=$((held + 1))
done
[ $held -ge 2 ] || fail "only $held targets could be tried: dom0 leaves $room% idle"
uncapped Domain-0 || fail "dom0 was capped"

log "a domain created while enforcing is capped, one destroyed forgotten"
spin_cfg pc-spin3
create pc-spin3
slow_wait 60 recorded pc-spin3 || fail "pc-spin3 not taken in"
slow_wait 30 capped pc-spin3 || fail "pc-spin3 not capped"
id3=$(timeout 20 xl domid pc-spin3)
timeout 60 xl destroy pc-spin3 || fail "xl destroy pc-spin3"
slow_wait 60 sh -c "! grep -q '^dom $id3 ' $D/powercap.state" ||
    fail "pc-spin3 still recorded after its destroy"
kill -0 "$pid" || fail "the daemon died: $(cat "$D/daemon.log")"

log "idle guests (paused): nothing injected, caps given back"
timeout 20 xl pause pc-spin1 && timeout 20 xl pause pc-spin2 ||
    fail "xl pause"
# a target well inside the idle dom0 alone leaves ($room%): dom0's own
# use counts as busy, and the test's polling is dom0's use too
xk powercap set --dir "$D" 10 2>/dev/null
injecting_none() { [ "$(st inject)" = 0.0 ]; }
slow_wait 60 injecting_none ||
    fail "still injecting $(st inject)% with the guests paused"
slow_wait 30 uncapped pc-spin1 || fail "pc-spin1 still capped"
uncapped pc-spin2 || fail "pc-spin2 still capped"
# and it stays so for a while (a window every second)
n=0
while [ $n -lt 10 ]; do
	sleep 1
	[ "$(st inject)" = 0.0 ] || fail "injected $(st inject)% over natural idle"
	n=$((n + 1))
done
timeout 20 xl unpause pc-spin1 && timeout 20 xl unpause pc-spin2 ||
    fail "xl unpause"
slow_wait 60 capped pc-spin1 || fail "not capped again after unpause"

log "the daemon SIGKILLed: its caps stay until repair"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
capped pc-spin1 || fail "no cap to repair: the test proves nothing"
xk powercap repair --dir "$D" || fail "repair"
uncapped pc-spin1 && uncapped pc-spin2 || fail "caps left after repair"
[ ! -e "$D/powercap.state" ] || fail "state file left after repair"

log "SIGKILLed again: the next start gives the caps back"
start_daemon
slow_wait 60 capped pc-spin2 || fail "not capped"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
: >"$D/daemon.log"
xk powercap set --dir "$D" 0 2>/dev/null
start_daemon
grep -q "left 2 domains capped: caps given back" "$D/daemon.log" ||
    fail "the start did not repair: $(cat "$D/daemon.log")"
uncapped pc-spin1 && uncapped pc-spin2 || fail "caps left after restart"
xk powercap repair --dir "$D" >/dev/null 2>&1 &&
    fail "repair ran beside a live daemon"

log "SIGTERM: caps back, exit 0"
xk powercap set --dir "$D" 25 2>/dev/null
slow_wait 60 capped pc-spin1 || fail "not capped"
kill -TERM "$pid"
wait "$pid" || fail "the daemon exited $? on SIGTERM"
pid=
uncapped pc-spin1 && uncapped pc-spin2 || fail "caps left after SIGTERM"
