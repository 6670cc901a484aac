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
T=$tmp
# ok, notok, exits, finish
. "$(dirname "$0")/../lib.sh"

exits "version" 0 '^xk \(xenkit\) [0-9]+\.[0-9]+' "$XK" --version
exits "help lists commands" 0 '^  cfg ' "$XK" help
exits "no command is a usage error" 2 'usage: xk' "$XK"
exits "unknown command suggests" 2 "Did you mean 'cfg'" "$XK" cgf
exits "unknown subcommand suggests" 2 "Did you mean 'check'" "$XK" cfg chek x
exits "help for a subcommand" 0 'usage: xk cfg show' "$XK" help cfg show
exits "--help after a subcommand" 0 'usage: xk cfg check' "$XK" cfg check --help
exits "a usage error of a lab command shows its usage" 2 \
    '^usage: xk lab cp SRC DST' "$XK" lab cp onlyone
exits "help lab lists every lab subcommand" 0 '^  log ' "$XK" help lab
exits "unknown option" 2 "xk: cfg show: unknown option '--bogus'" \
    "$XK" cfg show --bogus "$corpus/good/hvm-full.cfg"
exits "missing operand" 2 'xk: cfg check: no FILE given' "$XK" cfg check
exits "check good files" 0 '' "$XK" cfg check "$corpus"/good/*.cfg
exits "check bad file: located error, exit 1" 1 \
    'xk: cfg check: .*unterminated-list.cfg:4:1: expected' \
    "$XK" cfg check "$corpus/bad/unterminated-list.cfg"
exits "one bad file fails the run" 1 'crlf.cfg:1:11' \
    "$XK" cfg check "$corpus/good/empty.cfg" "$corpus/bad/crlf.cfg"
exits "missing file" 1 'xk: cfg check: .*/nope.cfg: open: No such file' \
    "$XK" cfg check "$tmp/nope.cfg"
exits "directory" 1 'is a directory' "$XK" cfg check "$tmp"
head -c 2000000 /dev/zero | tr '\0' '\n' >"$tmp/huge.cfg"
exits "huge file refused" 1 'larger than 1048576 bytes' "$XK" cfg check "$tmp/huge.cfg"
printf 'name = "a"\nmemory = 5\0\n' >"$tmp/bin.cfg"
exits "binary file refused" 1 'bin.cfg:2:11: unexpected a NUL byte' \
    "$XK" cfg check "$tmp/bin.cfg"
printf 'memory = 99999999999999999999999\n' >"$tmp/range.cfg"
exits "out of range number" 1 'range.cfg:1:10: memory: .* out of range' \
    "$XK" cfg check "$tmp/range.cfg"
exits "duplicate key warns which wins" 0 "'dup' set again .* the last value wins" \
    "$XK" cfg check "$corpus/good/syntax-corners.cfg"
exits "show --json has typed fields" 0 '"memory": 4096' \
    "$XK" cfg show --json "$corpus/good/hvm-full.cfg"
exits "show --json keeps unknown keys" 0 '"vnclisten": "127.0.0.1"' \
    "$XK" cfg show --json "$corpus/good/hvm-full.cfg"
exits "check --json" 1 '"ok": false' "$XK" cfg check --json \
    "$corpus/good/empty.cfg" "$corpus/bad/crlf.cfg"

finish
