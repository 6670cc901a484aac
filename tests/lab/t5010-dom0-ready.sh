#!/bin/sh
# dom0 is ready and `xl info` describes the Xen the lab boots.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh

info=$(timeout 30 xl info) || fail "xl info"
val() { echo "$info" | awk -F': ' -v k="$1" '$1 ~ "^"k" *$" { print $2 }'; }
[ "$(val xen_major)" = 4 ] || fail "xen_major $(val xen_major)"
[ "$(val xen_minor)" = 17 ] || fail "xen_minor $(val xen_minor)"
[ "$(val nr_cpus)" -ge 1 ] || fail "nr_cpus $(val nr_cpus)"
[ "$(val total_memory)" -gt 1024 ] || fail "total_memory $(val total_memory)"
val virt_caps | grep -q pv || fail "virt_caps $(val virt_caps)"
timeout 20 xl list | grep -q '^Domain-0 *0 ' || fail "no Domain-0 in xl list"
pidof oxenstored >/dev/null || pidof xenstored >/dev/null ||
    fail "xenstored not running"
pidof xenconsoled >/dev/null || fail "xenconsoled not running"
[ "$(timeout 20 xenstore-read domid)" = 0 ] || fail "xenstore-read domid"
echo "xen $(val xen_version), $(val nr_cpus) cpus, caps: $(val virt_caps)"
