#!/bin/sh
# t2950-xk-cli - the xk command line: exit codes, diagnostics, help,
# suggestions and the cfg commands on real files.
#   t2950-xk-cli.sh XK BUILD-DIR
set -u
XK=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$top/tests/config/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# check NAME WANT-STATUS PATTERN CMD...: run CMD, expect its exit status
# and PATTERN (grep -E) somewhere in its stdout+stderr.
check() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -eq "$want" ] && grep -Eq -- "$pat" "$tmp/out"; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name (status $got, want $want; output:)"
		sed 's/^/#   /' "$tmp/out" | head -n 10
		failed=$((failed + 1))
	fi
}

check "version" 0 '^xk \(xenkit\) [0-9]+\.[0-9]+' "$XK" --version
check "help lists commands" 0 '^  cfg ' "$XK" help
check "no command is a usage error" 2 'usage: xk' "$XK"
check "unknown command suggests" 2 "Did you mean 'cfg'" "$XK" cgf
check "unknown subcommand suggests" 2 "Did you mean 'check'" "$XK" cfg chek x
check "help for a subcommand" 0 'usage: xk cfg show' "$XK" help cfg show
check "--help after a subcommand" 0 'usage: xk cfg check' "$XK" cfg check --help
check "a usage error of a lab command shows its usage" 2 \
    '^usage: xk lab cp SRC DST' "$XK" lab cp onlyone
check "help lab lists every lab subcommand" 0 '^  log ' "$XK" help lab
check "unknown option" 2 "xk: cfg show: unknown option '--bogus'" \
    "$XK" cfg show --bogus "$corpus/good/hvm-full.cfg"
check "missing operand" 2 'xk: cfg check: no FILE given' "$XK" cfg check
check "check good files" 0 '' "$XK" cfg check "$corpus"/good/*.cfg
check "check bad file: located error, exit 1" 1 \
    'xk: cfg check: .*unterminated-list.cfg:4:1: expected' \
    "$XK" cfg check "$corpus/bad/unterminated-list.cfg"
check "one bad file fails the run" 1 'crlf.cfg:1:11' \
    "$XK" cfg check "$corpus/good/empty.cfg" "$corpus/bad/crlf.cfg"
check "missing file" 1 'xk: cfg check: .*/nope.cfg: open: No such file' \
    "$XK" cfg check "$tmp/nope.cfg"
check "directory" 1 'is a directory' "$XK" cfg check "$tmp"
head -c 2000000 /dev/zero | tr '\0' '\n' >"$tmp/huge.cfg"
check "huge file refused" 1 'larger than 1048576 bytes' "$XK" cfg check "$tmp/huge.cfg"
printf 'name = "a"\nmemory = 5\0\n' >"$tmp/bin.cfg"
check "binary file refused" 1 'bin.cfg:2:11: unexpected a NUL byte' \
    "$XK" cfg check "$tmp/bin.cfg"
printf 'memory = 99999999999999999999999\n' >"$tmp/range.cfg"
check "out of range number" 1 'range.cfg:1:10: memory: .* out of range' \
    "$XK" cfg check "$tmp/range.cfg"
check "duplicate key warns which wins" 0 "'dup' set again .* the last value wins" \
    "$XK" cfg check "$corpus/good/syntax-corners.cfg"
check "show --json has typed fields" 0 '"memory": 4096' \
    "$XK" cfg show --json "$corpus/good/hvm-full.cfg"
check "show --json keeps unknown keys" 0 '"vnclisten": "127.0.0.1"' \
    "$XK" cfg show --json "$corpus/good/hvm-full.cfg"
check "check --json" 1 '"ok": false' "$XK" cfg check --json \
    "$corpus/good/empty.cfg" "$corpus/bad/crlf.cfg"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
