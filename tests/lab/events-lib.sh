# shellcheck shell=sh
# events-lib.sh - helpers for the xk monitor lab tests (t6*-events-*.sh),
# sourced after lib.sh, inside dom0.  Each test gets its own directory
# $EV with the event log, the socket, the hooks and the monitor's
# output, so tests never share a monitor.
XK=${XK:-/usr/local/bin/xk}
# the tiny guest kernel: xk-guest-tiny (guest/bin/tiny.c, xk-guest(7)),
# a build product the lab's boot overlay carries from the build
TINY=/usr/lib/xk-lab/guests/xk-guest-tiny

# ev_setup NAME: a fresh $EV, the tiny guest kernel, a working xk.
ev_setup() {
	EV=/tmp/ev-$1
	rm -rf "$EV"
	mkdir -p "$EV/hooks"
	[ -s "$TINY" ] || fail "no $TINY: xk lab up carries it from" \
	    "the build's guest/xk-guest-tiny (built on x86_64 only)"
	if ! "$XK" version >/dev/null 2>&1; then
		ldd "$XK" 2>&1 | grep "not found" >&2
		fail "$XK does not run in dom0 (libraries above missing)"
	fi
	trap ev_cleanup EXIT
}

# The recording hook: one file per event with the hook's environment.
ev_record_hook() {
	cat >"$EV/hooks/50-record" <<'EOS'
#!/bin/sh
f=$(dirname "$0")/../hook-$XK_EVENT-$XK_DOMID
env | grep '^XK_' | sort >"$f.tmp" && mv "$f.tmp" "$f"
EOS
	chmod 755 "$EV/hooks/50-record"
}

# mon_start [ARGS...]: start xk monitor on $EV, wait for its socket.
# EV_SYSLOG=1 lets it use syslog.
mon_start() {
	rm -f "$EV/mon.sock"
	[ "${EV_SYSLOG:-0}" = 1 ] || set -- --no-syslog "$@"
	# not a child of the test: a test's `wait` must not wait for it
	( setsid sh -c 'echo $$ >"$0"; exec "$@"' "$EV/mon.pid" \
	    "$XK" monitor --log "$EV/events.jsonl" \
	    --socket "$EV/mon.sock" --hooks "$EV/hooks" --interval 2 \
	    "$@" >>"$EV/mon.out" 2>&1 </dev/null & )
	wait_for 60 test -S "$EV/mon.sock" || {
		cat "$EV/mon.out" >&2
		fail "xk monitor did not start"
	}
}

mon_alive() {
	[ -f "$EV/mon.pid" ] && kill -0 "$(cat "$EV/mon.pid")" 2>/dev/null
}

# mon_stop [SIGNAL]: stop the monitor (TERM: cleanly), wait for it.
mon_stop() {
	mon_alive || return 0
	kill -"${1:-TERM}" "$(cat "$EV/mon.pid")"
	wait_for 60 sh -c "! kill -0 $(cat "$EV/mon.pid") 2>/dev/null" ||
	    fail "xk monitor did not stop"
	rm -f "$EV/mon.pid"
}

# Leave nothing behind: the monitor, hook runners, our guests.
ev_cleanup() {
	mon_stop KILL 2>/dev/null
	for d in $(timeout 20 xl list 2>/dev/null |
	    awk 'NR > 2 && $1 ~ /^ev-/ { print $1 }'); do
		timeout 60 xl destroy "$d" 2>/dev/null
	done
}

# tiny_cfg NAME REASON [LINE...]: /tmp/NAME.cfg for a tiny PV guest that
# shuts down with REASON as soon as it runs; every on_* destroys unless
# a LINE says otherwise.
tiny_cfg() {
	_n=$1 _r=$2
	shift 2
	{
		echo "name = \"$_n\""
		echo 'type = "pv"'
		echo "kernel = \"$TINY\""
		echo "extra = \"$_r\""
		echo 'memory = 16'
		echo 'vcpus = 1'
		for a in poweroff reboot crash watchdog soft_reset; do
			echo "on_$a = \"destroy\""
		done
		for l in "$@"; do
			echo "$l"
		done
	} >"/tmp/$_n.cfg"
}

# ev_line EVENT NAME DOMID REASON: the log line for that event, if any.
ev_line() {
	grep "\"event\":\"$1\",\"domain\":\"$2\",\"domid\":$3,\"uuid\":\"[^\"]*\",\"reason\":\"$4\"" \
	    "$EV/events.jsonl" 2>/dev/null
}

has_event() {
	[ -n "$(ev_line "$@")" ]
}

# ev_count EVENT DOMID: how many EVENT lines the log has for DOMID.
ev_count() {
	grep -c "\"event\":\"$1\",\"domain\":\"[^\"]*\",\"domid\":$2," \
	    "$EV/events.jsonl" 2>/dev/null || true
}

# wait_event SECONDS EVENT NAME DOMID REASON
wait_event() {
	_s=$1
	shift
	wait_for "$_s" has_event "$@" || {
		echo "--- events:" >&2
		cat "$EV/events.jsonl" >&2
		echo "--- monitor:" >&2
		tail -n 20 "$EV/mon.out" >&2
		fail "no $1 event for $2 (domid $3) with reason $4"
	}
}

# hook_env EVENT DOMID VAR: a variable the recording hook saw.
hook_env() {
	sed -n "s/^$3=//p" "$EV/hook-$1-$2" 2>/dev/null
}
