# bench/lib.sh - what the lab benches share; sourced with XK set.
# shellcheck shell=sh

# L ARG...: xk lab on the bench's lab
L() { "$XK" lab -n "$lab" "$@"; }

# bench_lab DEFAULT [UP-OPTION...]: the lab is XK_LAB_NAME (default
# DEFAULT); one that is not running is booted (xk lab up UP-OPTION...)
# and taken down again on the way out, one that is is left as it was.
bench_lab() {
	lab=${XK_LAB_NAME:-$1}
	shift
	started=0
	trap '[ "$started" = 0 ] || L down >/dev/null 2>&1' EXIT INT TERM
	if ! L status >/dev/null 2>&1; then
		L up "$@" >&2
		started=1
	fi
}
