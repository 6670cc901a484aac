#!/bin/sh
# t4880-fuzz-fixed (on the host, against the suite's own hypervisor,
# which tests/lab/run builds with share/xen-patches/fixes) - the
# reproducers of what the hypercall engine found in Xen 4.17
# (tests/lab/fuzz/, t4870 shows each panics Debian's binary) pass on
# the fixed hypervisor, and the lab stays up: no restart.
#   t4880-fuzz-fixed.xen.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4880.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
T=$tmp/check
mkdir "$T" || exit 1
# ok, notok, check, exits, show, finish
. "$here/../lib.sh"

for r in vpic-save vpic-save-partial; do
	exits "$r: the reproducer passes on the fixed hypervisor" 0 \
	    '^passed: 2 operations' \
	    "$XK" fuzz replay --lab "$LAB" --reports "$tmp/reports" \
	    "$here/fuzz/$r.log"
	grep -q '^lab: restarted' "$T/out" &&
	    notok "$r: the lab did not need a restart" ||
	    ok "$r: the lab did not need a restart"
done
check "the lab answers" "$XK" lab -n "$LAB" exec --timeout 120 -- xl info
finish
