#!/bin/sh
# shellcheck disable=SC2154 # id_NAME: set through eval by the boot loop
# xk-guest-tiny (guest/bin/tiny.c) boots as PV and as PVH in 4 MiB and
# shuts down with the reason its command line names: each of
# poweroff, reboot, crash and suspend is seen by xl (its log's reason
# code) and by xk monitor (the event log).  The crashed (preserved) and
# suspended ones stay: their consoles show the guest's last line.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=guest-lib.sh
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup t7010
mon_start

reasons="poweroff reboot crash suspend"
for t in pv pvh; do
	for r in $reasons; do
		n=ev-tiny-$t-$r
		ug_cfg "$n" xk-guest-tiny $t "$r" 'on_crash = "preserve"'
		create "$n"
		eval "id_$(echo "$n" | tr - _)=$(ug_domid "$n")"
	done
done

# code REASON: xl's reason code (xen/sched.h SHUTDOWN_*)
code() {
	case $1 in
	poweroff) echo 0 ;; reboot) echo 1 ;; suspend) echo 2 ;; crash) echo 3 ;;
	esac
}
tiny_said() { grep -q "xk-tiny: t=[0-9]" "$CONSOLE/guest-$1.log" 2>/dev/null; }

for t in pv pvh; do
	for r in $reasons; do
		g=ev-tiny-$t-$r
		eval "id=\$id_$(echo "$g" | tr - _)"
		wait_for 120 reason "$g" "$(code "$r")" ||
		    fail "$g: xl did not see reason code $(code "$r")"
		wait_event 120 shutdown "$g" "$id" "$r"
		case $r in
		crash|suspend)
			state "$g" | grep -q s || fail "$g: not shut down" \
			    "and kept: $(state "$g")"
			wait_for 30 tiny_said "$g" ||
			    fail "$g: no 'xk-tiny: t=' on its console"
			destroy "$g" ;;
		*)	wait_gone "$g" 120 ;;
		esac
		echo "$g (domid $id): xl reason code $(code "$r"), xk monitor $r"
	done
done
g=
! grep -q '"reason":"unknown"' "$EV/events.jsonl" ||
    fail "an unknown reason in the log"
mon_stop
