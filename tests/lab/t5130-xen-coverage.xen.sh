#!/bin/sh
# t5130-xen-coverage (on the host, against the suite's own hypervisor:
# tests/lab/run builds it with CONFIG_COVERAGE=y, and the CONFIG_DEBUG=y
# and CONFIG_LIVEPATCH=n it needs, boots it as LAB and names its cache
# entry in XK_XEN_ENTRY) - after xk lab coverage reset, an
# xk-guest-tiny guest boots and powers off, and xk lab coverage collect
# reports domain_create (xen/common/domain.c) reached, with lines of
# its own counted; after another reset it reports domain_create at
# zero.  A report never goes over an existing directory.  (A lab on
# Debian's binary is refused: t5120, without a lab.)
#   t5130-xen-coverage.xen.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
T=$tmp/check && mkdir "$T"
lab() { "$XK" lab -n "$LAB" "$@"; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
# ok, notok, check, exits, show, finish
. "$here/../lib.sh"

entry=${XK_XEN_ENTRY:-}
check "... its entry keeps the .gcno files" sh -c \
    "tar -tzf '$entry/gcov.tar.gz' | grep -q '^./common/domain.gcno\$'"

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
exits "no lab: said so" 1 "no lab running" \
    "$XK" lab -n "t5130-none-$$" coverage reset
finish
