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
# with no guest capped; the alignment measure (tests/lab/pc-aligned.c)
# for both mechanisms at 25%, printed; switching to caps sets the
# hypervisor's injection back to 0; a SIGKILLed daemon's injection is
# given back by repair.
#
# The waits poll every 2 s with shell builtins, as t9500's do.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=powercap-lib.sh
. /usr/lib/xk-lab/tests/powercap-lib.sh
ALIGNED=/usr/lib/xk-lab/bin/lab-pc-aligned
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
# The alignment measure over 20 s of 10 ms windows: "fraction overlap".
# dom0 is descheduled in the injected idle too, and under TCG its
# sampler keeps no 10 ms grid (windows of 20 ms and more): the xen
# mechanism is measured with a 200 ms period (50 ms all-idle stretches
# at 25%), which such windows resolve; with 20 ms (5 ms stretches) the
# bound below cannot see them (xk-powercap(1)).
aligned() {
	"$ALIGNED" 20 10 >"$D/aligned" || fail "lab-pc-aligned"
	cat "$D/aligned" >&2
	awk '{ print $6, $8 }' "$D/aligned"
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
	# |error| of sixty 1 s windows (lab-pc-aligned, one process)
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
		"$ALIGNED" 60 1000 25 >"$D/track" || fail "lab-pc-aligned"
		track=$(sed -n 's/^error_pts //p' "$D/track")
		mean=$(host_idle 30000)
		if [ "$m" = xen ]; then
			set_target xen 25 --period 200
			slow_wait 120 settled 25 "$TOL" ||
			    echo "xen: 25% with a 200 ms period not reached"
		fi
		aligned >"$D/fo"
		read -r af ao <"$D/fo"
		echo "bench $m: settle_10_to_25_ms $settle" \
		    "tracking_error_pts $track mean30s $mean inject $(st inject)" \
		    "all_idle_fraction $af overlap_share $ao" \
		    "(xen measured with a 200 ms period)"
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
log "the alignment with a 200 ms period"
set_target xen 25 --period 200
slow_wait 120 settled 25 "$TOL" || fail "25% (200 ms) not reached ($(st idle)%)"
aligned >"$D/fo"
read -r xf xo <"$D/fo"

log "the same through caps"
set_target caps 25 --period 20
slow_wait 60 not_injecting ||
    fail "caps: the hypervisor still injects $(xen_pct)%"
slow_wait 120 settled 25 "$TOL" || fail "caps: 25% not reached ($(st idle)%)"
m=$(host_idle 20000)
echo "caps: $m% idle over 20 s, loop $(st inject)%," \
    "caps $(cap_of pcx-spin1) $(cap_of pcx-spin2)"
aligned >"$D/fo"
read -r cf co <"$D/fo"
echo "alignment at 25%: all pCPUs idle at once in a fraction $xf of" \
    "10 ms windows with xen, $cf with caps (all-idle time at least" \
    "$xo and $co of the time)"
echo "ALIGNMENT xen $xf caps $cf"

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
