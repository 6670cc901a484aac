# powercap-lib.sh - what the power cap's lab tests share (t9500, t9510,
# powercap-xen.sh): sourced after lib.sh, with D the test's xk powercap
# directory and pid the daemon's process (empty when none).
# shellcheck shell=sh
TINYPV=/usr/lib/xk-lab/guests/xk-guest-tiny

# spin_cfg NAME: /tmp/NAME.cfg, an xk-guest-tiny guest that burns its
# vCPU until destroyed
spin_cfg() {
	printf '%s\n' "name = \"$1\"" 'type = "pv"' \
	    "kernel = \"$TINYPV\"" 'extra = "spin"' 'memory = 16' \
	    'vcpus = 1' >"/tmp/$1.cfg"
}
# spin_cleanup PREFIX N...: stop the daemon ($pid) and destroy the
# spinning guests PREFIXn, what each test's exit trap does first
spin_cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	_p=$1
	shift
	for _n in "$@"; do
		exists "$_p$_n" && timeout 60 xl destroy "$_p$_n"
	done
	rm -f "/tmp/$_p"*.cfg "/var/log/xen/xl-$_p"*.log
}
# cap_of DOMAIN: its credit2 cap (0: none)
cap_of() {
	timeout 20 xl sched-credit2 -d "$1" | awk 'NR == 2 { print $4 }'
}
capped() { [ "$(cap_of "$1")" -gt 0 ] 2>/dev/null; }
uncapped() { [ "$(cap_of "$1")" = 0 ]; }
# st KEY: a key of the daemon's state file (no process started)
st() {
	[ -f "$D/powercap.state" ] || return 0
	while read -r _k _v _rest; do
		[ "$_k" = "$1" ] && { echo "$_v"; return; }
	done <"$D/powercap.state"
}
# slow_wait SECONDS CMD...: wait_for, polling every 2 s (a poll every
# 0.2 s would load dom0 in step with the windows it measures)
slow_wait() {
	wait_every 2 "$@"
}
# host_idle MS: the host's idle percent over MS milliseconds
host_idle() {
	xk powercap show --json --interval "$1" --dir "$D" |
	    sed 's/.*"host_idle":\([0-9.]*\).*/\1/'
}
# settled TARGET TOL: the daemon's last window within TOL points of TARGET
settled() {
	_i=$(st idle)
	[ -n "$_i" ] && near "$_i" "$1" "$2"
}
near() {	# near VALUE TARGET TOL
	awk -v v="$1" -v t="$2" -v e="$3" \
	    'BEGIN { d = v - t; if (d < 0) d = -d; exit !(d <= e) }'
}
daemon_up() { [ "$(st pid)" = "$pid" ]; }
# start_daemon: xk powercap run in the background, $pid, up when its
# state file names it
start_daemon() {
	xk powercap run --dir "$D" >>"$D/daemon.log" 2>&1 &
	pid=$!
	wait_for 60 daemon_up || fail "the daemon did not start: $(cat "$D/daemon.log")"
}
