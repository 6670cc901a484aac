# shellcheck shell=sh
# tests/lib.sh - what every shell test shares, sourced by the tests of
# every area (tests/AREA/t*.sh, tests/formats/lib.sh), by tests/lab/run
# and, in dom0, by tests/lab/lib.sh (the lab carries it to
# /usr/lib/xk-lab/lib.sh).  A test prints one line per check, "ok -
# NAME" or "not ok - NAME" (diagnostics indented under "#"), and closes
# with the "N passed, N failed" line scripts/test adds up:
#
#	. "$(dirname "$0")/../lib.sh"
#	check "it converts" "$XK" convert a.vhd b.raw
#	finish
#
# check, exits and the output they keep need T, the test's directory.
passed=0
failed=0
skipped=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }
# skip NAME REASON: a check that cannot run here, said so
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }

# show FILE...: the files' last lines, indented as diagnostics
show() {
	for _f in "$@"; do
		[ -s "$_f" ] && tail -n 15 "$_f" | sed 's/^/#   /'
	done
	return 0
}

# check NAME CMD...: CMD must succeed.  Its stdout is left in $T/out,
# its stderr in $T/err; both are shown when it fails.
check() {
	_name=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then
		ok "$_name"
	else
		echo "#   exit $?"
		show "$T/out" "$T/err"
		notok "$_name"
	fi
}

# exits NAME STATUS PATTERN CMD...: CMD must exit with STATUS and print
# PATTERN (grep -E) on its stdout or stderr (both left in $T/out).
exits() {
	_name=$1 _want=$2 _pat=$3
	shift 3
	"$@" >"$T/out" 2>&1
	_got=$?
	if [ "$_got" -eq "$_want" ] && grep -Eq -- "$_pat" "$T/out"; then
		ok "$_name"
	else
		echo "#   exit $_got, want $_want and /$_pat/; output:"
		show "$T/out"
		notok "$_name"
	fi
}

# need TOOL...: without one of them the test cannot run: one failure
need() {
	for _tool in "$@"; do
		if ! command -v "$_tool" >/dev/null; then
			notok "$_tool is missing (scripts/install-deps)"
			finish
			exit 1
		fi
	done
}

# wait_every PERIOD SECONDS CMD...: poll CMD every PERIOD seconds
# until it succeeds, at most SECONDS; fails when it never did.
wait_every() {
	_period=$1
	_end=$(($(date +%s) + $2))
	shift 2
	until "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep "$_period"
	done
}

# wait_for SECONDS CMD...: wait_every 0.2 s.
wait_for() {
	wait_every 0.2 "$@"
}

# finish: the closing line; the status says whether everything passed
finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
}
