#!/bin/sh
# The dom0 half of t9520-powercap-xen.host.sh (issue 19), run in a lab
# booted on Xen with share/xen-patches/powercap: xk powercap's
# hypervisor mechanism (XEN_SYSCTL_idle_inject) against its caps one,
# with two xk-guest-tiny guests that burn both pCPUs.
#
# Usage: powercap-xen.sh test	assertions (below)
#        powercap-xen.sh bench	bench/powercap's figures, no assertion
#
# test: the hypervisor answers the sysctl; a cap set and cleared on a
# burning guest 20000 times leaves the host up (share/xen-patches/
# fixes/0002); 25% through the xen mechanism
# is held (Xen's per-pCPU idle, a 20 s mean, within t9500's 5 points)
# with no guest capped; its idle is aligned: in 10 s of Xen's scheduler
# trace (xentrace, `xk powercap aligned`), at least half of the idle
# time has both pCPUs idle at once, and more than with caps injecting
# (10% idle at least; measured: 98% against 5%); switching to caps sets
# the hypervisor's injection back to 0; a SIGKILLed daemon's injection
# is given back by repair.
#
# The waits poll every 2 s with shell builtins, as t9500's do.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=powercap-lib.sh
. /usr/lib/xk-lab/tests/powercap-lib.sh
TRACK=/usr/lib/xk-lab/bin/lab-pc-track
TOGGLE=/usr/lib/xk-lab/bin/lab-pc-captoggle
D=/tmp/pcx
TOL=5
MODE=${1:-test}
pid=

cleanup() {
	spin_cleanup pcx-spin 1 2
	xk powercap repair --dir "$D" >/dev/null 2>&1
	rm -rf "$D"
}
trap cleanup EXIT
rm -rf "$D"
mkdir -p "$D"

show_json() { xk powercap show --json --interval "$1" --dir "$D"; }
# the hypervisor's injection now (percent), "null" without the sysctl
xen_pct() {
	show_json 10 | sed -n 's/.*"xen_inject":{"pct":\([0-9]*\).*/\1/p;
	    s/.*"xen_inject":null.*/null/p'
}
injecting() { [ "$(xen_pct)" -gt 0 ] 2>/dev/null; }
not_injecting() { [ "$(xen_pct)" = 0 ]; }
set_target() {	# set_target MECHANISM PERCENT [OPTION...]
	_m=$1
	shift
	xk powercap set --dir "$D" --mechanism "$_m" "$@" 2>/dev/null ||
	    fail "set --mechanism $_m $*"
}
# aligned NAME: 10 s of Xen's scheduler trace, measured by xk powercap
# aligned: "IDLE ALIGNED" (percentages), the whole measure on stderr
aligned() {
	xentrace -D -e 0x0002f000 -S 64 -T 10 "$D/$1.trace" >/dev/null 2>&1 ||
	    fail "xentrace"
	xk powercap aligned --json "$D/$1.trace" >"$D/$1.json" ||
	    fail "xk powercap aligned $1"
	cat "$D/$1.json" >&2
	rm -f "$D/$1.trace"
	sed 's/.*"idle": \([0-9.]*\).*"aligned": \([0-9.]*\).*/\1 \2/' \
	    "$D/$1.json"
}
# pct VALUE: the integer part of a percentage
pct() { echo "${1%.*}"; }
# caps inject idle: a guest capped, 10% idle at least in the last window
caps_inject() {
	{ capped pcx-spin1 || capped pcx-spin2; } &&
	    [ "$(pct "$(st idle)")" -ge 10 ] 2>/dev/null
}

log "the hypervisor has idle injection"
[ "$(xen_pct)" = 0 ] || fail "XEN_SYSCTL_idle_inject: $(show_json 10)"

log "two guests burn both pCPUs"
for n in 1 2; do
	spin_cfg "pcx-spin$n"
	create "pcx-spin$n"
done
natural=$(host_idle 5000)
echo "natural idle with the guests burning: $natural%"
near "$natural" 0 10 || fail "the guests do not burn the pCPUs ($natural% idle)"
if [ "$MODE" = test ]; then
	# what the caps mechanism does at each step, as fast as dom0 can:
	# a debug Xen 4.17 without fixes/0002 panics here within seconds
	log "a 50% cap set and cleared 20000 times on a burning guest"
	"$TOGGLE" "$(xl domid pcx-spin1)" 20000 50 || fail "lab-pc-captoggle"
	uncapped pcx-spin1 || fail "the cap was left at $(cap_of pcx-spin1)"
fi
start_daemon

if [ "$MODE" = bench ]; then
	# settling: the first daemon window within 2 points (the issue's
	# figure) after a change of target, polled every 2 s; then the mean
	# |error| of sixty 1 s windows (lab-pc-track, one process)
	for m in caps xen; do
		set_target "$m" 10 --period 20
		slow_wait 180 settled 10 "$TOL" || echo "$m: 10% not reached"
		t0=$(now_ms)
		set_target "$m" 25
		if slow_wait 180 settled 25 2; then
			settle=$(( $(now_ms) - t0 ))
		else
			settle=">180000"
		fi
		"$TRACK" 60 1000 25 >"$D/track" || fail "lab-pc-track"
		track=$(sed -n 's/.*error_pts \([0-9.]*\).*/\1/p' "$D/track")
		mean=$(host_idle 30000)
		aligned "$m" >"$D/fo"
		read -r ai aa <"$D/fo"
		echo "bench $m: settle_10_to_25_ms $settle" \
		    "tracking_error_pts $track mean30s $mean inject $(st inject)" \
		    "traced_idle $ai aligned_share $aa"
	done
	exit 0
fi

log "25% through the hypervisor's injection"
set_target xen 25 --period 20
t0=$(now_ms)
slow_wait 120 settled 25 "$TOL" || fail "25% not reached ($(st idle)%)"
echo "xen: a window within $TOL points after $(( $(now_ms) - t0 )) ms"
m=$(host_idle 20000)
x=$(xen_pct)
echo "xen: $m% idle over 20 s, loop $(st inject)%, hypervisor $x%," \
    "caps $(cap_of pcx-spin1) $(cap_of pcx-spin2)"
near "$m" 25 $TOL || fail "xen: 25% held at $m%"
[ "$x" -gt 0 ] 2>/dev/null || fail "xen: the hypervisor injects $x%"
[ "$(cap_of pcx-spin1)" = 0 ] && [ "$(cap_of pcx-spin2)" = 0 ] ||
    fail "xen: a guest was capped"
log "the alignment: 10 s of Xen's scheduler trace"
aligned xen >"$D/fo"
read -r xi xa <"$D/fo"
near "$(pct "$xi")" 25 $TOL || fail "xen: the trace saw $xi% idle"

log "the same through caps"
set_target caps 25 --period 20
slow_wait 60 not_injecting ||
    fail "caps: the hypervisor still injects $(xen_pct)%"
# Holding a target with caps is t9500's; here they need only inject
# idle for the comparison.  (Waiting for a window within 5 points of
# 25% failed a full run: under TCG the caps' windows swing, 34% when
# 120 s were up.)
slow_wait 120 caps_inject || fail "caps: no idle injected ($(st idle)%)"
echo "caps: $(st idle)% idle in the daemon's last window, loop" \
    "$(st inject)%, caps $(cap_of pcx-spin1) $(cap_of pcx-spin2)"
aligned caps >"$D/fo"
read -r ci ca <"$D/fo"
[ "$(pct "$ci")" -ge 10 ] || fail "caps: the trace saw $ci% idle"
echo "alignment at 25%: both pCPUs idle at once in $xa% of the idle" \
    "time with xen, $ca% with caps (idle $xi% and $ci%)"
echo "ALIGNMENT xen $xa caps $ca"
[ "$(pct "$xa")" -ge 50 ] || fail "xen: only $xa% of the idle aligned"
[ "$(pct "$xa")" -gt "$(pct "$ca")" ] ||
    fail "xen's idle ($xa% aligned) no more aligned than caps' ($ca%)"

log "SIGKILLed with the xen mechanism: repair gives the injection back"
set_target xen 25
slow_wait 60 injecting ||
    fail "xen: not injecting after the switch back"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
x=$(xen_pct)
[ "$x" -gt 0 ] || fail "no injection left to repair: the test proves nothing"
xk powercap repair --dir "$D" >/dev/null || fail "repair"
[ "$(xen_pct)" = 0 ] || fail "repair left the hypervisor injecting $(xen_pct)%"
[ ! -e "$D/powercap.state" ] || fail "state file left after repair"

log "SIGTERM with the xen mechanism: the injection back, exit 0"
start_daemon
slow_wait 60 injecting ||
    fail "xen: not injecting after the restart"
kill -TERM "$pid"
wait "$pid" || fail "the daemon exited $? on SIGTERM"
pid=
[ "$(xen_pct)" = 0 ] || fail "SIGTERM left the hypervisor injecting $(xen_pct)%"
