#!/bin/sh
# powercap-physical.sh start|set PERCENT|stop - dom0's half of t9530
# (the power cap seen from the host): two xk-guest-tiny guests that
# burn both pCPUs and an xk powercap daemon (caps, stock Xen) in
# /tmp/t9530; set waits until the daemon's windows hold the target;
# stop takes everything away.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=powercap-lib.sh
. /usr/lib/xk-lab/tests/powercap-lib.sh
D=/tmp/t9530
TOL=5
pid=$(cat "$D/pid" 2>/dev/null)
burning() { near "$(host_idle 3000)" 0 10; }

case $1 in
start)
	rm -rf "$D"
	mkdir -p "$D" || fail mkdir
	for n in 1 2; do
		spin_cfg pc-phys$n
		create pc-phys$n
	done
	wait_for 60 burning || fail "the guests do not burn both pCPUs"
	xk powercap set --dir "$D" 0 || fail "set 0"
	setsid xk powercap run --dir "$D" </dev/null >"$D/daemon.log" 2>&1 &
	pid=$!
	echo "$pid" >"$D/pid"
	wait_for 60 daemon_up || fail "the daemon did not start: $(cat "$D/daemon.log")"
	;;
set)
	xk powercap set --dir "$D" "$2" || fail "set $2"
	slow_wait 120 settled "$2" "$TOL" || fail "target $2: not reached ($(st idle)%)"
	echo "target $2%: held, the daemon's window at $(st idle)% idle," \
	    "caps $(cap_of pc-phys1) $(cap_of pc-phys2)"
	;;
stop)
	spin_cleanup pc-phys 1 2
	[ -z "$pid" ] || wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"
	xk powercap repair --dir "$D" >/dev/null 2>&1
	rm -rf "$D"
	;;
*)
	fail "usage: powercap-physical.sh start|set PERCENT|stop"
	;;
esac
