#!/bin/sh
# t4880-fuzz-fixed (on the host, against the suite's own hypervisor,
# which tests/lab/run builds with share/xen-patches/fixes) - the
# reproducers of what the fuzzer found in Xen 4.17 pass on the fixed
# hypervisor, and the lab stays up: no restart.
# - the hypercall engine's (tests/lab/fuzz/, t4870 shows each panics
#   Debian's binary): fixes/0001 and 0004;
# - the toolstack engine's finding 2, as tests/lab/pool-race.c loops
#   it: a spinning guest destroyed in a one-pCPU pool whose pCPU then
#   leaves the pool (fixes/0003).  Without the fix this debug build
#   panicked within 4 to 12 s (5 to 15 rounds) in every mode below,
#   so 25 rounds a mode;
#   Debian's release build shows nothing, so t4870 has no counterpart.
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

for r in vpic-save vpic-save-partial viridian-thaw; do
	exits "$r: the reproducer passes on the fixed hypervisor" 0 \
	    '^passed: [23] operations' \
	    "$XK" fuzz replay --lab "$LAB" --reports "$tmp/reports" \
	    "$here/fuzz/$r.log"
	grep -q '^lab: restarted' "$T/out" &&
	    notok "$r: the lab did not need a restart" ||
	    ok "$r: the lab did not need a restart"
done
cat >"$tmp/spin.cfg" <<'CFG'
name = "xk-t4880-race"
type = "pv"
kernel = "/usr/lib/xk-lab/guests/xk-guest-tiny"
extra = "spin"
memory = 4
vcpus = 1
CFG
check "copy the spinning guest's configuration" \
    "$XK" lab -n "$LAB" cp "$tmp/spin.cfg" lab:/tmp/xk-t4880-race.cfg
check "its libxl JSON" "$XK" lab -n "$LAB" exec --timeout 120 -- sh -c \
    'xl create -n /tmp/xk-t4880-race.cfg >/tmp/xk-t4880-race.json'
for mode in bounce after; do
	exits "pool race ($mode): 25 rounds, the hypervisor stays up" 0 \
	    '^survived 25 rounds' "$XK" lab -n "$LAB" exec --timeout 600 -- \
	    /usr/lib/xk-lab/bin/lab-pool-race /tmp/xk-t4880-race.json 25 "$mode"
done
check "the lab answers" "$XK" lab -n "$LAB" exec --timeout 120 -- xl info
finish
