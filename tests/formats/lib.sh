# shellcheck shell=sh
# lib.sh - what the shell tests of tests/formats share.  A test names
# itself, sources this file (its arguments are the test's: XK
# BUILD-DIR) and ends with `finish`:
#
#	NAME=t3001-convert
#	. "$(dirname "$0")/lib.sh"
#
# It sets XK and T (a fresh directory, removed on exit), defines fails,
# rnd and flip, and sources tests/lib.sh (ok, notok, check, need, finish).
set -u
# shellcheck disable=SC2034 # for the tests that source this file
XK=${1:?usage: $NAME.sh XK BUILD-DIR}
# ok, notok, check, need, finish: shared by every area's tests
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 1
# u+w first: a test may leave an unwritable directory behind
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

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

# rnd FILE OFFSET-IN-KiB COUNT-IN-KiB: random data written in place
rnd() {
	dd if=/dev/urandom of="$1" bs=1K seek="$2" count="$3" conv=notrunc \
	    status=none
}

# flip FILE OFFSET: change the byte at OFFSET to its complement, which
# differs from it whatever it was (writing a fixed byte over random
# data leaves it unchanged once in 256 runs)
flip() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$_b" ] || { echo "flip: $1 has no byte at $2" >&2; return 1; }
	# shellcheck disable=SC2059 # the format is the octal escape
	printf "$(printf '\\%03o' $((255 - _b)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
