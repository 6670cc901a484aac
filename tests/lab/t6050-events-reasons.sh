#!/bin/sh
# shellcheck disable=SC2154 # id_NAME: set through eval by the boot loop
# xk monitor sees every shutdown reason of domains started by plain
# `xl create` (xl's own monitor racing it) and exports each with the
# right domain: in the hook environment, the event log, `xk events`
# (also live, --follow) and syslog.  Guests: xk-guest-disk without disks
# for poweroff, reboot (restarted under a new domid, once), crash
# (preserved), suspend (xl save, of a PVH one: that guest saves as PVH
# only) and destroy; xk-guest-tiny for the watchdog (Xen's domain watchdog, the
# one Linux's xen_wdt drives) and soft_reset.  Unikernels all: the
# events are Xen's and the toolstack's, whatever the guest runs.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6050
ev_record_hook
busybox syslogd -n -O "$EV/syslog" -S &
echo $! >"$EV/syslogd.pid"
cleanup() {
	kill "$(cat "$EV/follow.pid" 2>/dev/null)" 2>/dev/null
	kill "$(cat "$EV/syslogd.pid")" 2>/dev/null
	ev_cleanup
	rm -f /tmp/ev-suspend.save
}
trap cleanup EXIT
wait_for 10 test -S /dev/log || fail "busybox syslogd did not start"
EV_SYSLOG=1 mon_start
"$XK" events --follow --json --log "$EV/events.jsonl" \
    --socket "$EV/mon.sock" >"$EV/follow" 2>&1 &
echo $! >"$EV/follow.pid"

disk_guest_cfg ev-off pv poweroff
disk_guest_cfg ev-reboot pv hold+reboot
disk_guest_cfg ev-crash pv crash
disk_guest_cfg ev-suspend pvh sleep
disk_guest_cfg ev-destroy pv sleep
tiny_cfg ev-wdog watchdog
tiny_cfg ev-softreset soft_reset
for g in ev-off ev-reboot ev-crash ev-suspend ev-destroy ev-wdog \
    ev-softreset; do
	create $g
	id=$(timeout 20 xl domid $g 2>/dev/null) || true
	# a tiny guest may be gone already: take its domid from xl's log
	[ -n "$id" ] || id=$(sed -n 's/.*domain .* (domid \([0-9]*\)).*/\1/p' \
	    "/var/log/xen/xl-$g.log" | head -n 1)
	[ -n "$id" ] || fail "$g: no domid"
	eval "id_$(echo $g | tr - _)=$id"
done

# ev-reboot reboots when released, once: xl restarts it, and the new
# domain holds until destroyed (a guest that rebooted at every boot
# would restart faster than destroy can catch it between two domains)
wait_marker ev-reboot 300
release ev-reboot
wait_marker ev-suspend 300
timeout 120 xl save ev-suspend /tmp/ev-suspend.save >/dev/null 2>&1 ||
    fail "xl save ev-suspend"
wait_marker ev-destroy 300
timeout 60 xl destroy ev-destroy || fail "xl destroy ev-destroy"

# exported NAME DOMID REASON: shutdown (and death) exported everywhere
exported() {
	wait_event 300 shutdown "$1" "$2" "$3"
	line=$(ev_line shutdown "$1" "$2" "$3")
	uuid=$(echo "$line" | sed 's/.*"uuid":"\([^"]*\)".*/\1/')
	wait_for 60 test -f "$EV/hook-shutdown-$2" ||
	    fail "$1: the hook did not run for the shutdown"
	[ "$(hook_env shutdown "$2" XK_DOMAIN)" = "$1" ] &&
	[ "$(hook_env shutdown "$2" XK_DOMID)" = "$2" ] &&
	[ "$(hook_env shutdown "$2" XK_UUID)" = "$uuid" ] &&
	[ "$(hook_env shutdown "$2" XK_REASON)" = "$3" ] &&
	[ "$(hook_env shutdown "$2" XK_EVENT)" = shutdown ] &&
	hook_env shutdown "$2" XK_TIMESTAMP | grep -q -E \
	    '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' ||
	    { cat "$EV/hook-shutdown-$2" >&2; fail "$1: hook environment"; }
	"$XK" events --log "$EV/events.jsonl" --domain "$1" --json |
	    grep -q "\"reason\": \"$3\"" || fail "$1: not in xk events"
	wait_for 30 grep -q "domain $1 (domid $2, uuid $uuid): shutdown, reason $3" \
	    "$EV/syslog" || fail "$1: no syslog line"
	wait_for 30 grep -q "\"event\":\"shutdown\",\"domain\":\"$1\",\"domid\":$2," \
	    "$EV/follow" || fail "$1: xk events --follow did not show it"
	echo "$1 (domid $2): $3, source $(echo "$line" |
	    sed 's/.*"source":"\([^"]*\)".*/\1/')"
}

exported ev-off "$id_ev_off" poweroff
wait_event 120 death ev-off "$id_ev_off" poweroff
exported ev-crash "$id_ev_crash" crash
# on_crash = preserve: still there, shut down, until destroyed
[ "$(ev_count death "$id_ev_crash")" -eq 0 ] || fail "ev-crash died early"
destroy ev-crash
wait_event 120 death ev-crash "$id_ev_crash" crash
exported ev-suspend "$id_ev_suspend" suspend
wait_event 120 death ev-suspend "$id_ev_suspend" suspend
wait_event 120 death ev-destroy "$id_ev_destroy" destroyed
[ "$(ev_count shutdown "$id_ev_destroy")" -eq 0 ] ||
    fail "ev-destroy: a shutdown event for a destroyed domain"
exported ev-wdog "$id_ev_wdog" watchdog
exported ev-softreset "$id_ev_softreset" soft_reset
exported ev-reboot "$id_ev_reboot" reboot
# xl restarts it under a new domid: a restart event linked to the old
wait_for 300 grep -q "\"event\":\"restart\",\"domain\":\"ev-reboot\".*\"previous_domid\":$id_ev_reboot}" \
    "$EV/events.jsonl" || fail "ev-reboot: no restart linked to $id_ev_reboot"
new=$(grep "\"event\":\"restart\",\"domain\":\"ev-reboot\"" "$EV/events.jsonl" |
    head -n 1 | sed 's/.*"domid":\([0-9]*\),.*/\1/')
wait_for 30 test -f "$EV/hook-restart-$new" || fail "no restart hook"
[ "$(hook_env restart "$new" XK_PREVIOUS_DOMID)" = "$id_ev_reboot" ] ||
    fail "XK_PREVIOUS_DOMID is not $id_ev_reboot"
echo "ev-reboot: domid $id_ev_reboot -> $new"
destroy ev-reboot
# nothing lost: no reason the monitor could not name
! grep -q '"reason":"unknown"' "$EV/events.jsonl" ||
    fail "an unknown reason in the log: $(grep '"reason":"unknown"' "$EV/events.jsonl")"
mon_stop
