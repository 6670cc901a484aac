#!/bin/sh
# The same guest as PVH (tsc_mode native, see guests/pvh.cfg).
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5030
guest_cfg pvh $g poweroff
t0=$(now_ms)
create $g
wait_marker $g 600
echo "create to marker: $(( $(now_ms) - t0 )) ms"
wait_gone "$g" 60
wait_for 10 reason $g 0 || fail "no 'reason code 0' in xl-$g.log"
