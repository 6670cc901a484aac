#!/bin/sh
# xk create: the domain has xenkit as its only monitor, which exports
# each shutdown before it applies on_poweroff / on_reboot / on_crash:
# no race at all.  The host's xk monitor leaves these domains to it
# (no duplicate events) and still shows them to its followers.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6500
cleanup() {
	kill "$(cat "$EV/follow.pid" 2>/dev/null)" 2>/dev/null
	for p in $(pgrep -f "xk create" 2>/dev/null); do kill "$p"; done
	ev_cleanup
	rm -f /tmp/ev-c*.cfg
}
trap cleanup EXIT
ev_record_hook
mon_start
( "$XK" events --follow --json --log "$EV/events.jsonl" \
    --socket "$EV/mon.sock" >"$EV/follow" 2>&1 & echo $! >"$EV/follow.pid" )
xkc() {
	"$XK" create --hooks "$EV/hooks" --log "$EV/events.jsonl" \
	    --socket "$EV/mon.sock" --output "$EV/create.out" "$@"
}
domid_of() {	# the "domid N" xk create printed
	sed -n 's/^domid //p' "$EV/$1.created"
}
owners() {
	pgrep -f "xk create" >/dev/null 2>&1
}

tiny_cfg ev-c1 poweroff
xkc /tmp/ev-c1.cfg >"$EV/ev-c1.created" || fail "xk create ev-c1"
id1=$(domid_of ev-c1)
wait_event 60 death ev-c1 "$id1" poweroff
for e in create shutdown death; do
	[ "$(ev_count $e "$id1")" -eq 1 ] ||
	    fail "ev-c1: $(ev_count $e "$id1") $e events (the daemon duplicated?)"
done
[ "$(grep "\"domid\":$id1," "$EV/events.jsonl" | grep -c '"source":"libxl"')" -eq 3 ] ||
    fail "ev-c1: events not from xk create"
wait_for 30 grep -q "\"event\":\"death\",\"domain\":\"ev-c1\"" "$EV/follow" ||
    fail "ev-c1: followers did not see xk create's events"
# hooks run after the event is out, one domain's one after another
wait_for 60 test -f "$EV/hook-shutdown-$id1" || fail "ev-c1: no hook"

# on_reboot = restart: xk create restarts it, linking each restart
tiny_cfg ev-c2 reboot 'on_reboot = "restart"'
xkc /tmp/ev-c2.cfg >"$EV/ev-c2.created" || fail "xk create ev-c2"
id2=$(domid_of ev-c2)
restarts() {
	[ "$(grep -c '"event":"restart","domain":"ev-c2"' "$EV/events.jsonl")" -ge 2 ]
}
wait_for 120 restarts || fail "ev-c2 was not restarted twice"
prev=$id2
for r in $(grep '"event":"restart","domain":"ev-c2"' "$EV/events.jsonl" |
    head -n 2 | sed 's/.*"domid":\([0-9]*\),.*"previous_domid":\([0-9]*\)}/\1:\2/'); do
	[ "${r#*:}" = "$prev" ] || fail "ev-c2: restart $r does not follow $prev"
	has_event shutdown ev-c2 "$prev" reboot || fail "ev-c2: no shutdown of $prev"
	prev=${r%:*}
done
echo "ev-c2: $id2 -> ... restarted, each linked to the one before"
ev2() { ! owners; }
# SIGTERM stops the monitor, never the domain, and never inside libxl:
# it reboots the moment it runs, so the signal lands during a restart
# more often than not, which must be finished (no half-built domain).
for p in $(pgrep -f "xk create"); do kill "$p"; done
wait_for 60 ev2 || fail "xk create did not stop on SIGTERM"
grep -q "stopped by a signal" "$EV/create.out" ||
    fail "xk create did not say why it stopped: $(tail -n 3 "$EV/create.out")"
timeout 20 xl list | grep -q "(null)" &&
    fail "xk create, stopped by SIGTERM, left a half-built domain"
timeout 20 xenstore-exists /local/domain/0/xenkit &&
    fail "xk create, stopped by SIGTERM, left its mark behind"
left=$(timeout 20 xl domid ev-c2) ||
    fail "ev-c2 is gone: SIGTERM must stop its monitor, not the domain"
# nobody restarts it now: the daemon exports its next reboot
wait_event 60 shutdown ev-c2 "$left" reboot
exists ev-c2 || fail "ev-c2 (domid $left) was not left as it shut down"
destroy ev-c2

# on_crash = preserve: exported, kept; then destroyed by hand
tiny_cfg ev-c3 crash 'on_crash = "preserve"'
xkc /tmp/ev-c3.cfg >"$EV/ev-c3.created" || fail "xk create ev-c3"
id3=$(domid_of ev-c3)
wait_event 60 shutdown ev-c3 "$id3" crash
exists ev-c3 || fail "ev-c3 not preserved"
destroy ev-c3
wait_event 60 death ev-c3 "$id3" crash
wait_for 60 ev2 || fail "xk create still runs after its domain died"
timeout 20 xenstore-exists /local/domain/0/xenkit &&
    fail "xk create left /local/domain/0/xenkit behind"
mon_stop
