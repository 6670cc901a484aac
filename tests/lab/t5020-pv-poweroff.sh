#!/bin/sh
# A PV guest boots to its marker and powers off: xl sees reason 0 and
# (on_poweroff = destroy) the domain goes away.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5020
guest_cfg pv $g poweroff
t0=$(now_ms)
create $g
wait_marker $g 600
echo "create to marker: $(( $(now_ms) - t0 )) ms"
wait_gone "$g" 60
wait_for 10 reason $g 0 || fail "no 'reason code 0' in xl-$g.log"
