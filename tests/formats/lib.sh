# lib.sh - what the shell tests of tests/formats share.  A test names
# itself, sources this file (its arguments are the test's: XK
# BUILD-DIR) and ends with `finish`:
#
#	NAME=t3001-convert
#	. "$(dirname "$0")/lib.sh"
#
# It sets XK and T (a fresh directory, removed on exit) and defines
# ok, notok, check, fails, need, rnd and finish.
set -u
XK=${1:?usage: $NAME.sh XK BUILD-DIR}
passed=0
failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 1
# u+w first: a test may leave an unwritable directory behind
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

ok() { echo "ok - $1"; passed=$((passed + 1)); }
notok() { echo "not ok - $1"; failed=$((failed + 1)); }

# check NAME CMD...: the command must succeed; its stdout is left in
# $T/out, its stderr in $T/err
check() {
	name=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$name"; else
		sed 's/^/#   /' "$T/out" "$T/err"
		notok "$name"
	fi
}

# fails NAME PATTERN CMD...: the command must exit 1 with PATTERN (a
# grep pattern) on stderr
fails() {
	name=$1
	pat=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q -- "$pat" "$T/err"; then ok "$name"
	else
		echo "#   exit $rc, stderr:"
		sed 's/^/#   /' "$T/err"
		notok "$name"
	fi
}

# need TOOL...: without one of them the test cannot run: one failure
need() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			echo "not ok - $tool is missing (scripts/install-deps)"
			echo "0 passed, 1 failed"
			exit 1
		fi
	done
}

# rnd FILE OFFSET-IN-KiB COUNT-IN-KiB: random data written in place
rnd() {
	dd if=/dev/urandom of="$1" bs=1K seek="$2" count="$3" conv=notrunc \
	    status=none
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
