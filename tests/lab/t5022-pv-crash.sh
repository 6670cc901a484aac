#!/bin/sh
# A PV guest crashing (sysrq c) is kept for inspection (on_crash =
# preserve): xl list shows it crashed, xl logs reason 3.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5022
guest_cfg pv $g crash
create $g
wait_marker $g 600
crashed() { state $g | grep -q c; }
wait_for 300 crashed || fail "state $(state $g), not crashed"
wait_for 10 reason $g 3 || fail "no 'reason code 3' in xl-$g.log"
echo "state $(state $g)"
destroy "$g"
