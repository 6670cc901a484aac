# shellcheck shell=sh
# guest-lib.sh - helpers for the lab tests of the unikernel guests
# (guest/, xk-guest(7)): t7*-guest-*.sh, sourced after lib.sh and
# events-lib.sh, inside dom0.  Their domains are named ev-* so that
# ev_cleanup (events-lib.sh) removes what a failed test leaves.
# UKDIR (lib.sh): where `xk lab up` carries the guests of guest/

# ug_setup NAME: ev_setup NAME, and the guests are there.
ug_setup() {
	ev_setup "$1"
	for _k in xk-guest-tiny xk-guest-xs xk-guest-disk; do
		[ -s "$UKDIR/$_k" ] || fail "no $UKDIR/$_k: xk lab up" \
		    "carries it from the build's guest/ (built on x86_64 only)"
	done
}

# ug_cfg NAME GUEST TYPE EXTRA [LINE...]: /tmp/NAME.cfg for the guest
# GUEST (xk-guest-tiny, xk-guest-xs, xk-guest-disk) booted as TYPE (pv, pvh) with the
# command line EXTRA in 4 MiB; every on_* destroys unless a LINE says
# otherwise.  PVH: tsc_mode native, as share/lab/guests/pvh.cfg says.
ug_cfg() {
	_n=$1 _k=$2 _t=$3 _x=$4
	shift 4
	{
		echo "name = \"$_n\""
		echo "type = \"$_t\""
		echo "kernel = \"$UKDIR/$_k\""
		echo "extra = \"$_x\""
		echo 'memory = 4'
		echo 'vcpus = 1'
		[ "$_t" != pvh ] || echo 'tsc_mode = "native"'
		for a in poweroff reboot crash watchdog soft_reset; do
			echo "on_$a = \"destroy\""
		done
		for l in "$@"; do
			echo "$l"
		done
	} >"/tmp/$_n.cfg"
	rm -f "$CONSOLE/guest-$_n.log"
}

# ug_domid NAME: the domid of a guest xl created, also when it is gone
# already (from xl's log).
ug_domid() {
	_id=$(timeout 20 xl domid "$1" 2>/dev/null) || _id=
	[ -n "$_id" ] || _id=$(sed -n \
	    's/.*domain .* (domid \([0-9]*\)).*/\1/p' \
	    "/var/log/xen/xl-$1.log" | head -n 1)
	[ -n "$_id" ] || fail "$1: no domid"
	echo "$_id"
}

# xs_is DOMID KEY VALUE: the guest's KEY (under its home) is VALUE.
xs_is() {
	[ "$(xenstore-read "/local/domain/$1/$2" 2>/dev/null)" = "$3" ]
}

xs_has() {
	xenstore-read "/local/domain/$1/$2" >/dev/null 2>&1
}

# ug_ready DOMID TYPE: an xk-guest-xs says it is ready.
ug_ready() {
	wait_for 300 xs_is "$1" data/xk-guest "ready $2" || fail \
	    "domid $1: data/xk-guest is not 'ready $2' within 300 s"
}

# ug_act DOMID ACTION: write ACTION to an xk-guest-xs's data/action,
# wait for its data/result and print it.
ug_act() {
	xenstore-rm "/local/domain/$1/data/result" 2>/dev/null
	xenstore-write "/local/domain/$1/data/action" "$2" ||
	    fail "cannot write data/action of domid $1"
	wait_for 120 xs_has "$1" data/result ||
	    fail "domid $1: no data/result for '$2' within 120 s"
	xenstore-read "/local/domain/$1/data/result"
}

# ug_expect DOMID ACTION PATTERN: ug_act, whose result must match the
# grep -E PATTERN (anchored at its start).
ug_expect() {
	_res=$(ug_act "$1" "$2")
	echo "$2: $_res"
	echo "$_res" | grep -q -E "^$3" ||
	    fail "domid $1: '$2' gave '$_res', not /$3/"
}
