#!/bin/sh
# xk-guest-xs (guest/bin/xs.c) boots as PV and as PVH in 4 MiB, says it
# is ready in xenstore and on its console, and does what its
# data/action key says each time its watch fires: echo, a transaction
# (twice), a directory, a loopback event channel, a grant, one-shot
# timers between them (each must fire, and not more than 10 ms early by
# the guest's clock); an unknown action fails.  Then the toolstack's
# requests: the PV guest powers off on `xl shutdown`; the PVH guest is
# saved and restored (suspend and resume: it counts the resume, sets its
# watches again and goes on), then crashes when asked.  xl and xk
# monitor see each reason.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=guest-lib.sh
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup t7020
save=/tmp/ev-xs.save
cleanup() {
	ev_cleanup
	rm -f $save
}
trap cleanup EXIT
mon_start

# actions ID: the actions that do not end the guest
actions() {
	ug_expect "$1" "timer 200" "timer ok"
	ug_expect "$1" "echo hello, xenstore" "echo ok"
	xs_is "$1" data/echo "hello, xenstore" ||
	    fail "data/echo: $(xenstore-read "/local/domain/$1/data/echo")"
	ug_expect "$1" tx "tx ok 1\$"
	ug_expect "$1" tx "tx ok 2\$"
	xs_is "$1" data/counter 2 || fail "data/counter is not 2"
	ug_expect "$1" dir "dir ok .*counter"
	ug_expect "$1" dir "dir ok .*xk-guest"
	ug_expect "$1" "timer 50" "timer ok"
	ug_expect "$1" evtchn "evtchn ok ports"
	ug_expect "$1" "timer 200" "timer ok"
	ug_expect "$1" grant "grant ok ref [0-9]+"
	ug_expect "$1" "fly away" "fly failed unknown action"
}

for t in pv pvh; do
	g=ev-xs-$t
	ug_cfg $g xk-guest-xs $t "timeout=900"
	create $g
	id=$(ug_domid $g)
	ug_ready "$id" $t
	wait_marker $g 60
	said "marker $g (domid $id, $t, [0-9]* KiB)" ||
	    fail "the marker line: $(grep xk-guest "$CONSOLE/guest-$g.log")"
	actions "$id"
	if [ $t = pv ]; then
		timeout 120 xl shutdown $g || fail "xl shutdown $g"
		wait_for 120 reason $g 0 || fail "no reason code 0 for $g"
		wait_event 120 shutdown $g "$id" poweroff
		said "control poweroff" || fail "the guest did not say it"
		wait_gone $g 120
		continue
	fi
	timeout 300 xl save $g $save >/dev/null 2>&1 || fail "xl save $g"
	wait_event 120 shutdown $g "$id" suspend
	wait_for 60 reason $g 2 || fail "no reason code 2 for $g"
	said "control suspend" || fail "the guest did not say it"
	timeout 300 xl restore $save >/tmp/$g.restore 2>&1 ||
	    { cat /tmp/$g.restore >&2; fail "xl restore $g"; }
	rm -f $save
	new=$(ug_domid $g)
	[ "$new" != "$id" ] || fail "restored under the same domid $id"
	wait_for 120 xs_is "$new" data/resumed 1 ||
	    fail "no data/resumed = 1 after the restore"
	wait_for 30 said resumed || fail "no 'resumed' on the console"
	echo "$g: saved as domid $id, resumed as $new"
	ug_expect "$new" "echo again" "echo ok"
	# a new domain's home: its data/ starts empty
	ug_expect "$new" tx "tx ok 1\$"
	# its result may be gone with the domain before dom0 reads it
	xenstore-write "/local/domain/$new/data/action" crash ||
	    fail "cannot write data/action"
	wait_event 120 shutdown $g "$new" crash
	# xl restore's own log (the old one was rotated)
	wait_for 120 reason $g 3 || fail "no reason code 3 for $g"
	wait_gone $g 120
done
g=
mon_stop
