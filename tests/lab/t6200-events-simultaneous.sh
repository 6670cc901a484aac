#!/bin/sh
# 20 guests shut down at the same moment (created paused, unpaused
# together): 20 correct shutdown events, and for every domain its
# create, shutdown and death in that order in the log, once each.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6200
n=20
cleanup() {
	ev_cleanup
	for i in $(seq "$n"); do
		rm -f "/tmp/ev-s$i.cfg" "/var/log/xen/xl-ev-s$i.log"*
	done
}
trap cleanup EXIT
mon_start
set -- poweroff reboot crash soft_reset watchdog
reason_of() {
	shift $(( $1 % 5 + 1 ))
	echo "$1"
}
for i in $(seq "$n"); do
	tiny_cfg "ev-s$i" "$(reason_of "$i" "$@")"
	rm -f "/var/log/xen/xl-ev-s$i.log"*
	timeout 120 xl create -q -p "/tmp/ev-s$i.cfg" >/dev/null 2>&1 ||
	    fail "xl create -p ev-s$i"
done
for i in $(seq "$n"); do
	id=$(timeout 20 xl domid "ev-s$i") || fail "ev-s$i is gone"
	eval "id$i=$id"
	wait_event 120 create "ev-s$i" "$id" none
done
t0=$(now_ms)
for i in $(seq "$n"); do
	xl unpause "ev-s$i" &
done
wait
for i in $(seq "$n"); do
	eval "id=\$id$i"
	want=$(reason_of "$i" "$@")
	wait_event 300 death "ev-s$i" "$id" "$want"
	has_event shutdown "ev-s$i" "$id" "$want" ||
	    fail "ev-s$i: no shutdown event with reason $want"
	for e in create shutdown death; do
		[ "$(ev_count "$e" "$id")" -eq 1 ] ||
		    fail "ev-s$i: $(ev_count "$e" "$id") $e events"
	done
	# order in the log: create, then shutdown, then death
	order=$(grep -n "\"domid\":$id," "$EV/events.jsonl" |
	    sed 's/.*"event":"\([a-z]*\)".*/\1/' | tr '\n' ' ')
	[ "$order" = "create shutdown death " ] ||
	    fail "ev-s$i: events in the order: $order"
done
last=$(sed -n 's/.*"ts":"[^T]*T\([0-9:.]*\)Z","event":"shutdown".*/\1/p' \
    "$EV/events.jsonl" | sort | tail -n 1)
echo "$n simultaneous shutdowns: $n correct, in order; unpaused at" \
    "$(date -u -d "@$((t0 / 1000))" +%T).$(printf %03d $((t0 % 1000))), last shutdown" \
    "event at $last"
mon_stop
