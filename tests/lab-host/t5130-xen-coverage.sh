#!/bin/sh
# t5130-xen-coverage - a coverage hypervisor (xk lab xen with
# CONFIG_COVERAGE=y, and the CONFIG_DEBUG=y and CONFIG_LIVEPATCH=n it
# needs) boots in a lab of its own; after xk lab coverage reset, an
# xk-guest-tiny guest boots and powers off, and xk lab coverage collect
# reports domain_create (xen/common/domain.c) reached, with lines of
# its own counted; after another reset it reports domain_create at
# zero.  A report never goes over an existing directory.  (A lab on
# Debian's binary is refused: t5120, without a lab.)  Built or taken from the
# cache (a cold build takes minutes, said in the output).  On the host,
# one lab at a time: scripts/test runs it before the lab suite.
#   t5130-xen-coverage.sh XK BUILD-DIR
set -u
XK=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
T=$tmp/check && mkdir "$T"
LAB=xkcov-$$
lab() { "$XK" lab -n "$LAB" "$@"; }
trap 'lab down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
# ok, notok, check, exits, show, finish
. "$here/../lib.sh"

if "$XK" lab xen --config CONFIG_DEBUG=y --config CONFIG_LIVEPATCH=n \
    --config CONFIG_COVERAGE=y >"$tmp/key" 2>"$tmp/xen.err"; then
	ok "coverage build: $(grep -o -E 'cached, verified in [0-9.]+ s|built in [0-9.]+ s' \
	    "$tmp/xen.err")"
else
	show "$tmp/xen.err"
	notok "coverage build"
	finish
	exit
fi
entry=$(cat "$tmp/key")
check "... its entry keeps the .gcno files" sh -c \
    "tar -tzf '$entry/gcov.tar.gz' | grep -q '^./common/domain.gcno\$'"

if lab up --xen "$entry" >"$tmp/up" 2>&1; then
	ok "a lab boots it: $(grep -o 'dom0 ready in [0-9.]* s' "$tmp/up")"
else
	show "$tmp/up"
	notok "a lab boots it"
	finish
	exit
fi

# fn_count INFO FILE FUNCTION: FUNCTION's count in lcov's tracefile,
# among the records of the source file ending in /FILE
fn_count() {
	awk -v f="/$2" -v fn="$3" '
	    /^SF:/ { in_f = substr($0, length($0) - length(f) + 1) == f }
	    in_f && /^FNDA:/ { split(substr($0, 6), a, ",")
		if (a[2] == fn) { print a[1]; found = 1 } }
	    END { if (!found) print "absent" }' "$1"
}
# lines_hit INFO FILE: how many of FILE's lines ran
lines_hit() {
	awk -v f="/$2" '
	    /^SF:/ { in_f = substr($0, length($0) - length(f) + 1) == f }
	    in_f && /^DA:/ { split(substr($0, 4), a, ","); if (a[2] > 0) n++ }
	    END { print n + 0 }' "$1"
}

check "coverage reset" lab coverage reset
# xk-guest-tiny as PV in 4 MiB: it powers off at once (xk-guest(7))
cat >"$tmp/cov.cfg" <<'CFG'
name = "cov-tiny"
type = "pv"
kernel = "/usr/lib/xk-lab/guests/xk-guest-tiny"
extra = "poweroff"
memory = 4
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
CFG
check "copy the guest's configuration" lab cp "$tmp/cov.cfg" lab:/tmp/cov.cfg
check "the guest boots and powers off" lab exec --timeout 300 -- sh -c '
    xl create /tmp/cov.cfg || exit 1
    n=0	# xl list ends listing it once it is destroyed
    while xl list cov-tiny >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -le 1500 ] || exit 1; sleep 0.2
    done'
check "coverage collect" lab coverage collect -o "$tmp/run"
info=$tmp/run/coverage.info
n=$(fn_count "$info" common/domain.c domain_create)
if [ "$n" != absent ] && [ "$n" -gt 0 ]; then
	ok "domain_create reached ($n calls)"
else
	show "$T/err"
	notok "domain_create reached (count: $n)"
fi
lines=$(lines_hit "$info" common/domain.c)
if [ "$lines" -gt 0 ] &&
    [ -f "$tmp/run/src/common/domain.c" ] &&
    grep -q "^SF:$tmp/run/src/common/domain.c\$" "$info"; then
	ok "domain.c: $lines lines ran, its source is beside the report"
else
	grep '^SF:.*domain.c' "$info" | sed 's/^/#   /'
	notok "domain.c: lines ran, its source is beside the report"
fi

check "coverage reset again" lab coverage reset
check "coverage collect after the reset" lab coverage collect -o "$tmp/reset"
n=$(fn_count "$tmp/reset/coverage.info" common/domain.c domain_create)
if [ "$n" = 0 ]; then
	ok "after the reset: domain_create at zero"
else
	notok "after the reset: domain_create at zero (count: $n)"
fi
exits "a report never goes over a directory" 1 "exists" \
    lab coverage collect -o "$tmp/run"
ls -d "$tmp"/*.tmp.* >/dev/null 2>&1 &&
    notok "... and leaves no temporary" || ok "... and leaves no temporary"
check "lab down" lab down
exits "no lab: said so" 1 "no lab running" lab coverage reset
finish
