#!/bin/sh
# A PV guest that reboots is restarted by xl (on_reboot = restart) with
# a new domain id and prints its marker again; xl logs reason 1.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t5021
guest_cfg pv $g reboot
create $g
id1=$(timeout 20 xl domid $g)
rebooted() { [ "$(markers $g)" -ge 2 ]; }
wait_for 900 rebooted || fail "no second marker after the reboot"
wait_for 10 reason $g 1 || fail "no 'reason code 1' in xl-$g.log"
# The guest reboots again and again: catch it between two restarts.
new_id() { id2=$(timeout 20 xl domid $g 2>/dev/null) && [ -n "$id2" ]; }
wait_for 300 new_id || fail "guest gone after reboot"
[ "$id1" != "$id2" ] || fail "same domid $id1 after reboot"
echo "domid $id1 -> $id2"
destroy "$g"
