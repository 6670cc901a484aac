#!/bin/sh
# t4870-fuzz-found (on the host: tests/lab/run gives it xk and its lab,
# on Debian's binary Xen 4.17) - what the hypercall engine found in
# Debian's Xen, kept as reproducers (tests/lab/fuzz/): an HVM/PVH
# domain between createdomain and max_vcpus has no vCPU 0, and saving
# its context (gethvmcontext with a buffer, or gethvmcontext_partial
# for a record of the domain) dereferences it.  Each reproducer panics
# Xen, named by the report; xk fuzz restarts the lab after each.  The
# same calls pass without the buffer (a size query saves nothing) and
# after max_vcpus: the crash is the missing vCPU's.  The fix is
# share/xen-patches/fixes/0001 (t4880 replays these on it).  xk lab
# exec on the panicking hypervisor ends with the panic (xk-lab(1)).
# The same class, found later (fixes/0004): such a domain with the
# viridian enlightenments on (HVM_PARAM_VIRIDIAN), unpaused, starts its
# reference counter from vCPU 0's TSC (viridian-thaw.log).
# Usage: t4870-fuzz-found.host.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4870.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1
sig='Xen panicked: FATAL PAGE FAULT \(in vpic.c#vpic_save\)'
rep=$tmp/reports

for r in vpic-save vpic-save-partial; do
	exits "$r: the reproducer panics Debian's Xen" 1 "^found: $sig" \
	    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$here/fuzz/$r.log"
	grep -q '^lab: restarted' "$T/out" &&
	    ok "$r: the lab was restarted after the report" ||
	    notok "$r: the lab was restarted after the report"
done
[ "$(find "$rep" -name report | wc -l)" -eq 1 ] &&
    ok "both under one signature, one report" ||
    notok "both under one signature, one report"

# The same crash under a plain xk lab exec: it stops waiting when Xen
# panics, and says so, rather than wait out its 600 s.
exits "xk lab exec on a hypervisor that panics: lost, with the panic" \
    255 "lab lost while waiting for .*: $sig" \
    "$XK" lab -n "$LAB" exec -i --timeout 600 -- \
    /usr/local/bin/xk fuzz engine --replay <"$here/fuzz/vpic-save.log"

sed 's/ buffer=buf$/ buffer=null/' "$here/fuzz/vpic-save.log" >"$tmp/query.log"
check "without a buffer (a size query) the same calls pass" \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/query.log"
grep -q '^lab: restarted' "$T/out" &&
    ok "the lab the exec lost was restarted" ||
    notok "the lab the exec lost was restarted"
sed 's/^\(hc domctl.gethvmcontext .*\)/hc domctl.max_vcpus dom=@2 max=4\n\1/' \
    "$here/fuzz/vpic-save.log" >"$tmp/vcpus.log"
if grep -q '^hc domctl.max_vcpus' "$tmp/vcpus.log"; then
	check "after max_vcpus (the domain has its vCPUs) they pass" \
	    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$tmp/vcpus.log"
else
	notok "after max_vcpus they pass (the log was not made)"
fi
exits "viridian-thaw: the reproducer panics Debian's Xen" 1 \
    '^found: Xen panicked: FATAL PAGE FAULT \(in hvm_get_guest_tsc_fixed\)' \
    "$XK" fuzz replay --lab "$LAB" --reports "$rep" "$here/fuzz/viridian-thaw.log"
grep -q '^lab: restarted' "$T/out" &&
    ok "viridian-thaw: the lab was restarted after the report" ||
    notok "viridian-thaw: the lab was restarted after the report"
check "the lab answers" "$XK" lab -n "$LAB" exec --timeout 120 -- xl info
finish
