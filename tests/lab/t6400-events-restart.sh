#!/bin/sh
# shellcheck disable=SC2154 # id_NAME: set through eval by the boot loop
# The monitor killed (SIGKILL) and started again reconciles: what
# changed while it was down is reported once, with its reason, and
# nothing it had already exported is reported again.  Then a full disk
# under the event log: reported, events held in memory, written in
# order once there is room.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6400
cleanup() {
	ev_cleanup
	umount "$EV/disk" 2>/dev/null
	rm -f /tmp/ev-k*.cfg /var/log/xen/xl-ev-k*.log
}
trap cleanup EXIT
mon_start
# paused guests stay "running" for as long as we like
tiny_cfg ev-k-same poweroff
tiny_cfg ev-k-off poweroff
tiny_cfg ev-k-crash crash 'on_crash = "preserve"'
tiny_cfg ev-k-new reboot
for g in ev-k-same ev-k-off ev-k-crash; do
	timeout 120 xl create -q -p "/tmp/$g.cfg" >/dev/null 2>&1 ||
	    fail "xl create -p $g"
	eval "id_$(echo $g | tr - _)=$(timeout 20 xl domid $g)"
done
wait_event 60 create ev-k-same "$id_ev_k_same" none
wait_event 60 create ev-k-off "$id_ev_k_off" none
wait_event 60 create ev-k-crash "$id_ev_k_crash" none
mon_stop KILL

# while no monitor runs: one powers off (xl's monitor destroys it), one
# crashes (kept), one is created
timeout 20 xl unpause ev-k-off
timeout 20 xl unpause ev-k-crash
timeout 120 xl create -q -p /tmp/ev-k-new.cfg >/dev/null 2>&1 ||
    fail "xl create -p ev-k-new"
id_new=$(timeout 20 xl domid ev-k-new)
wait_gone ev-k-off 120
wait_for 120 sh -c "timeout 20 xl list ev-k-crash | awk 'NR == 2 { exit \$5 !~ /c/ }'" ||
    fail "ev-k-crash did not crash"

mon_start
wait_event 60 shutdown ev-k-off "$id_ev_k_off" poweroff
wait_event 60 death ev-k-off "$id_ev_k_off" poweroff
wait_event 60 shutdown ev-k-crash "$id_ev_k_crash" crash
wait_event 60 create ev-k-new "$id_new" none
for id in $id_ev_k_same $id_ev_k_off $id_ev_k_crash $id_new; do
	[ "$(ev_count create "$id")" -eq 1 ] ||
	    fail "domid $id: $(ev_count create "$id") create events"
done
[ "$(ev_count shutdown "$id_ev_k_same")" -eq 0 ] ||
    fail "ev-k-same did not change, yet has a shutdown event"
[ "$(grep -c . "$EV/events.jsonl")" -eq 7 ] || {
	cat "$EV/events.jsonl"
	fail "not exactly the 7 events expected"
}
echo "after the restart: $(grep -o '"source":"[a-z-]*"' "$EV/events.jsonl" |
    sort | uniq -c | tr -s ' \n' ' ')"
# a second restart, nothing changed: nothing new
mon_stop KILL
mon_start
wait_for 30 grep -q "monitoring" "$EV/mon.out"
[ "$(grep -c . "$EV/events.jsonl")" -eq 7 ] || fail "events repeated"
mon_stop
for g in ev-k-same ev-k-crash ev-k-new; do
	destroy "$g"
done

# a full disk under the log
mkdir -p "$EV/disk"
mount -t tmpfs -o size=64k tmpfs "$EV/disk" || fail "mount tmpfs"
log=$EV/disk/events.jsonl
: >"$log"
( setsid sh -c 'echo $$ >"$0"; exec "$@"' "$EV/mon.pid" "$XK" monitor \
    --log "$log" --socket "$EV/mon.sock" --hooks "$EV/hooks" --interval 2 \
    --no-syslog >>"$EV/mon.out" 2>&1 </dev/null & )
wait_for 60 test -S "$EV/mon.sock" || fail "monitor did not start"
dd if=/dev/zero of="$EV/disk/fill" bs=1k count=100 2>/dev/null
tiny_cfg ev-k-full poweroff
create ev-k-full
idf=$(sed -n 's/.*domain ev-k-full (domid \([0-9]*\)).*/\1/p' /var/log/xen/xl-ev-k-full.log)
wait_for 120 grep -q "event log $log: write: No space left on device; holding" \
    "$EV/mon.out" || fail "the full disk is not reported"
wait_gone ev-k-full 120
[ ! -s "$log" ] || fail "something reached the full log"
echo "disk full: events held, reported"
rm -f "$EV/disk/fill"
wait_for 60 grep -q "event log $log writable again" "$EV/mon.out" ||
    fail "recovery not reported"
order=$(grep "\"domid\":$idf," "$log" | sed 's/.*"event":"\([a-z]*\)".*/\1/' |
    tr '\n' ' ')
[ "$order" = "create shutdown death " ] ||
    fail "after the full disk, ev-k-full's events: '$order'"
[ "$(grep -c . "$log")" -eq 3 ] || fail "extra lines in the log"
mon_stop
